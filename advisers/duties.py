"""The adviser's duties as the policy states them (崇政办发〔2017〕101号 二(二) 工作职责).

They are printed on every village page and notice board, so they live in one place.
"""

from django.utils.translation import gettext_lazy as _

DUTIES = [
    _("为村(社区)治理提供法律意见：协助起草、审核村规民约，为重大决策、重要合同和换届选举提供法律意见。"),
    _(
        "为群众提供法律咨询和法律援助：解答日常法律问题，为符合条件的群众提供法律帮助，代写文书、参与诉讼酌情减免费用。"
    ),
    _("开展法治宣传：定期举办法制讲座，每年至少一次。"),
    _("参与矛盾纠纷调解：为医患、交通事故、征地拆迁、劳资、环境保护等纠纷提供法律意见。"),
]

# Shortened forms for the printed notice board, where space is limited.
SHORT_DUTIES = [
    _("提供村务治理法律意见"),
    _("解答法律咨询、协助法律援助"),
    _("开展法治宣传、举办法制讲座"),
    _("参与矛盾纠纷调解"),
]
