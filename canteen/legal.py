"""The legal basis printed for each record type: one table, corrected in one place.

规定 = 学校食品安全与营养健康管理规定 (2019, 教育部等令第45号); 法 = 食品安全法 (2021).
"""

from __future__ import annotations

LEGAL_BASIS: dict[str, str] = {
    "staff": "《食品安全法》第四十五条；《学校食品安全与营养健康管理规定》第二十五条",
    "morning_check": "《学校食品安全与营养健康管理规定》第二十五条；GB 31654-2021 第6.2条",
    "supplier": "《食品安全法》第五十条；《学校食品安全与营养健康管理规定》第三十六条",
    "receiving": "《食品安全法》第五十条、第六十五条；《学校食品安全与营养健康管理规定》第三十七条",
    "sample": "《学校食品安全与营养健康管理规定》第四十条；GB 31654-2021 第11条",
    "disinfection": "《学校食品安全与营养健康管理规定》第三十九条；GB 31654-2021 第9.3条",
    "temperature": "GB 31654-2021 第7.4、8.2条",
    "accompanied": "《学校食品安全与营养健康管理规定》第十六条",
    "menu": "《学校食品安全与营养健康管理规定》第二十七条",
    "complaint": "《学校食品安全与营养健康管理规定》第十三条；《食品安全法》第十二条",
    "waste": "《学校食品安全与营养健康管理规定》第四十三条；GB 31654-2021 第10.2条",
    "training": "《食品安全法》第四十四条；《学校食品安全与营养健康管理规定》第二十六条",
    "self_inspection": (
        "《企业落实食品安全主体责任监督管理规定》第十条至第十二条（日管控、周排查、月调度）"
    ),
    "committee_inspection": "《学校食品安全与营养健康管理规定》第十三条（膳食委员会、校医检查）",
    "incident": (
        "《食品安全法》第一百零三条；《学校食品安全与营养健康管理规定》（食品安全事故调查与应急处置）"
    ),
    "day_review": "《学校食品安全与营养健康管理规定》第十三条（膳食委员会）",
}


def basis(record_type: str) -> str:
    return LEGAL_BASIS[record_type]
