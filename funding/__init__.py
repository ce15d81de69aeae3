"""Paying the firms: the county's yearly funding and the payments of the annual fees (崇政办发〔2017〕101号 五(二))."""
