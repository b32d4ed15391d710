"""The checklists a school starts from: one per area, with the rule each item checks.

A school installs copies of these and edits its copies; these defaults never change a school's
lists after they are installed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from safety.models import Area, ItemKind

P, N, T, PH = ItemKind.PASS_FAIL, ItemKind.NUMBER, ItemKind.TEXT, ItemKind.PHOTO


class DefaultItem(NamedTuple):
    text: str
    kind: str = P
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    unit: str = ""
    basis: str = ""


D = DefaultItem
CAMPUS = "《中小学幼儿园安全管理办法》"
FIRE_LAW = "《中华人民共和国消防法》"
EXTINGUISHER = "GB 50444《建筑灭火器配置验收及检查规范》"
FOOD = "《学校食品安全与营养健康管理规定》"
ELECTRIC = "GB 50054《低压配电设计规范》"

DEFAULTS: dict[str, tuple[str, list[DefaultItem]]] = {
    Area.BUILDINGS: (
        "校舍安全检查表",
        [
            D("教学楼墙体、楼板无裂缝、无渗漏", basis=CAMPUS + "第十七条"),
            D(
                "楼梯、走廊栏杆牢固，高度不低于1.1米",
                N,
                Decimal("1.10"),
                None,
                "米",
                "GB 50352《民用建筑设计统一标准》",
            ),
            D("门窗、玻璃完好，无松动脱落", basis=CAMPUS),
            D("屋面、天沟排水通畅，无积水", basis=CAMPUS),
            D("围墙、大门牢固，无倾斜", basis=CAMPUS),
            D("疏散通道、安全出口畅通无堆放", PH, basis=FIRE_LAW + "第二十八条"),
        ],
    ),
    Area.TEACHING: (
        "教学设备检查表",
        [
            D("实验室危化品双人双锁、台账相符", basis="《中小学实验室安全管理规范》"),
            D("多媒体设备、投影仪固定牢固", basis=CAMPUS),
            D("体育器材（单双杠、篮球架）牢固无锈蚀", PH, basis="《学校体育运动风险防控暂行办法》"),
            D("课桌椅完好，无尖角毛刺", basis=CAMPUS),
            D("电脑室、实验室插座无私拉乱接", basis=ELECTRIC),
        ],
    ),
    Area.FIRE: (
        "消防设施检查表",
        [
            D("灭火器压力表指针在绿区", basis=EXTINGUISHER),
            D("灭火器在有效期内、铅封完好", basis=EXTINGUISHER),
            D("消火栓箱内水带、水枪齐全", basis="GB 50974《消防给水及消火栓系统技术规范》"),
            D("消火栓出水压力", N, Decimal("0.35"), Decimal("0.50"), "MPa", "GB 50974 第7.4.12条"),
            D(
                "应急照明、疏散指示标志正常点亮",
                basis="GB 51309《消防应急照明和疏散指示系统技术标准》",
            ),
            D("消防通道畅通，无占用", PH, basis=FIRE_LAW + "第二十八条"),
        ],
    ),
    Area.CANTEEN: (
        "食堂安全检查表",
        [
            D("从业人员健康证在有效期内", basis=FOOD + "第二十四条"),
            D("冷藏柜温度", N, Decimal("0"), Decimal("8"), "℃", "GB 31654《餐饮服务通用卫生规范》"),
            D("留样48小时、每样不少于125克", basis=FOOD + "第三十六条"),
            D("燃气管道、阀门无泄漏，报警器正常", basis="GB 50028《城镇燃气设计规范》"),
            D("操作间灭火器、灭火毯配备到位", basis=EXTINGUISHER),
            D("食品仓库离地离墙存放", PH, basis=FOOD),
        ],
    ),
    Area.DORMITORY: (
        "宿舍安全检查表",
        [
            D("烟感报警器工作正常", basis="GB 50116《火灾自动报警系统设计规范》"),
            D("无违规电器（热得快、电热毯等）", basis=CAMPUS),
            D(
                "床铺护栏牢固，高度不低于0.3米",
                N,
                Decimal("0.30"),
                None,
                "米",
                "GB 28007《儿童家具通用技术条件》",
            ),
            D("安全出口、疏散楼梯畅通", basis=FIRE_LAW),
            D("夜间值班人员在岗、查寝记录完整", T, basis="《中小学生宿舍管理规定》"),
        ],
    ),
    Area.SURVEILLANCE: (
        "监控与报警检查表",
        [
            D("校门口、周界摄像头画面清晰", basis="《中小学幼儿园安全防范工作规范（试行）》"),
            D("监控录像保存天数", N, Decimal("30"), None, "天", "GB 50348《安全防范工程技术标准》"),
            D("一键报警装置与公安联网测试正常", basis="《中小学幼儿园安全防范工作规范（试行）》"),
            D("周界入侵报警系统布防正常", basis="GB 50394《入侵报警系统工程设计规范》"),
        ],
    ),
    Area.ELECTRICITY: (
        "用电安全检查表",
        [
            D("配电箱上锁、标识清楚", basis=ELECTRIC),
            D("漏电保护器试跳正常", basis="GB 13955《剩余电流动作保护装置安装和运行》"),
            D("线路无老化、裸露，无私拉乱接", PH, basis=ELECTRIC),
            D(
                "接地电阻",
                N,
                None,
                Decimal("4"),
                "Ω",
                "GB 50169《电气装置安装工程接地装置施工及验收规范》",
            ),
        ],
    ),
    Area.WATER: (
        "用水安全检查表",
        [
            D("水井、水池加盖上锁", basis="GB 5749《生活饮用水卫生标准》"),
            D("水箱清洗消毒记录（最近一次日期）", T, basis="GB 17051《二次供水设施卫生规范》"),
            D("末梢水余氯", N, Decimal("0.05"), Decimal("2"), "mg/L", "GB 5749"),
            D("饮水机滤芯按期更换", basis="《学校卫生工作条例》"),
        ],
    ),
}
