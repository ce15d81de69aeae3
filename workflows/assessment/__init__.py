"""Annual assessment campaigns (年度考评) of the village legal advisers: a flow package.

崇政办发〔2017〕101号 三(二) (考核评价), 四(一) (县级司法行政机关负责考核) and 五(二) (以案定补):
indicator tables per county and year, a campaign that starts one assessment process per contract
in bulk, the steps from the adviser's self-report to the county bureau's grade and
recommendation, and the publication (公示) of the results. See README.md in this folder.
"""
