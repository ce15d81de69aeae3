"""The legal education topics the policies name, as the seed list of article categories.

Topics: 崇政办发〔2017〕101号 二(二)4 (医患, 交通事故, 征地拆迁, 劳资, 环境保护) and 城北政办〔2019〕111号
三(二) (征地拆迁, 土地权属, 婚姻家庭, 上学就医, 社会保障, 环境保护), plus 换届选举 (二(二)1) and
合同纠纷 (二(二)1: 签订重要经济合同). content/migrations/0004 seeds a frozen copy of this list;
staff may rename, add or reorder categories afterwards.
"""

from __future__ import annotations

SEED_CATEGORIES = [
    ("婚姻家庭", "marriage-family", "结婚、离婚、抚养、赡养、继承与家庭暴力"),
    ("土地权属", "land-rights", "承包地、宅基地、林地与土地确权纠纷"),
    ("征地拆迁", "land-expropriation", "征收程序、补偿安置与被征地农民的权益"),
    ("劳动争议", "labour-disputes", "劳动合同、讨薪、工伤与劳动仲裁"),
    ("交通事故", "traffic-accidents", "事故处理、保险理赔与损害赔偿"),
    ("医患纠纷", "medical-disputes", "知情同意、病历资料与医疗纠纷的解决途径"),
    ("环境保护", "environment", "污染损害、生态保护与举报途径"),
    ("社会保障", "social-security", "养老、医疗保险、低保与社会救助"),
    ("上学就医", "school-and-healthcare", "义务教育、入学与看病就医的权利"),
    ("村务与换届选举", "village-affairs-elections", "村民自治、村务公开与村(居)委会换届选举"),
    ("合同纠纷", "contract-disputes", "借款、买卖、承包等合同的订立与履行"),
]


def ensure_seed_categories() -> int:
    """Create the seed categories when there are none at all (a fresh or flushed database).

    Categories staff deleted on purpose are not brought back while any category remains.
    """
    from .models import ArticleCategory

    if ArticleCategory.objects.exists():
        return 0
    ArticleCategory.objects.bulk_create(
        ArticleCategory(name=name, slug=slug, description=description, sort_order=order)
        for order, (name, slug, description) in enumerate(SEED_CATEGORIES, start=1)
    )
    return len(SEED_CATEGORIES)
