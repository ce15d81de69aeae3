"""Hire renewal (续聘): a flow package on the workflow engine (崇政办发〔2017〕101号 二(一)3, 三(二))."""
