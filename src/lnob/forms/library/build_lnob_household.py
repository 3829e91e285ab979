"""Build ``lnob_household.xlsx``, the LNOB household-survey XLSForm shipped with lnob.

The questionnaire is written here as readable Python tables and turned into an
XLSForm with openpyxl, byte for byte reproducibly (fixed workbook dates and zip
times), so the committed ``.xlsx`` can always be regenerated::

    python -m lnob.forms.library.build_lnob_household      # rewrites lnob_household.xlsx

Modules: consent; location (province with its ISO 3166-2 code, urban/rural,
village = cluster); household roster (repeat) with self-identified ethnicity
(Viet Nam), caste (India, Nepal, Bangladesh), religion and migration, each with
"prefer not to say"; Washington Group Short Set (age 5+); school attendance
(5–17); birth registration (under 5); marital status and age at first marriage
(women 20–24, SDG 5.3.1); health insurance; JMP drinking water and sanitation;
social protection; household assets (wealth index).  Labels in English, Hindi,
Vietnamese and Bengali — translations are first drafts and should be reviewed
by native speakers before fieldwork.  Personal fields carry ``lnob::personal``.

Province names and ISO codes come from the geoBoundaries Vietnam ADM1 file lnob
ships (``geo_name`` is its ``shapeName`` without the trailing tab of "Hà Nội";
"Côn Đảo", a district that reuses VN-43, is not a province and is left out).
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

try:  # run as a module or as a script
    from lnob.forms.library.vn_provinces import PROVINCES
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from vn_provinces import PROVINCES  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "lnob_household.xlsx"

FORM_ID = "lnob_household"
VERSION = "2025060101"
TITLE = "LNOB household survey"
LANGS = ["English (en)", "Hindi (hi)", "Vietnamese (vi)", "Bengali (bn)"]

# (type, name, (en, hi, vi, bn) or None, {other columns})
YES = "${consent} = 'yes'"
SOUTH_ASIA = "${country} = 'IN' or ${country} = 'NP' or ${country} = 'BD'"
SELF_ID_HINT = (
    "Read the options only if needed. 'Prefer not to say' is a valid answer and is kept as given.",
    "ज़रूरत हो तभी विकल्प पढ़ें। 'बताना नहीं चाहते' एक मान्य उत्तर है और जैसा दिया गया वैसा ही रखा जाता है।",
    "Chỉ đọc các lựa chọn khi cần. 'Không muốn trả lời' là câu trả lời hợp lệ và được giữ nguyên.",
    "প্রয়োজন হলেই বিকল্পগুলো পড়ুন। 'বলতে চান না' একটি বৈধ উত্তর এবং যেমন দেওয়া হয়েছে তেমনই রাখা হয়।",
)

SURVEY = [
    ("start", "start", None, {}),
    ("end", "end", None, {}),
    ("today", "today", None, {}),
    ("select_one country", "country", (
        "Country", "देश", "Quốc gia", "দেশ"), {"required": "yes", "default": "VN"}),
    ("select_one yes_no", "consent", (
        "Do you agree to take part in this survey? Your answers are confidential and you may stop at any time.",
        "क्या आप इस सर्वेक्षण में भाग लेने के लिए सहमत हैं? आपके उत्तर गोपनीय रहेंगे और आप किसी भी समय रुक सकते हैं।",
        "Ông/bà có đồng ý tham gia cuộc khảo sát này không? Câu trả lời của ông/bà được giữ bí mật "
        "và ông/bà có thể dừng lại bất cứ lúc nào.",
        "আপনি কি এই জরিপে অংশ নিতে সম্মত? আপনার উত্তর গোপন রাখা হবে এবং আপনি যেকোনো সময় থামতে পারেন।",
    ), {"required": "yes"}),
    ("note", "no_consent_end", (
        "Thank you for your time. The interview ends here.",
        "आपके समय के लिए धन्यवाद। साक्षात्कार यहीं समाप्त होता है।",
        "Cảm ơn ông/bà đã dành thời gian. Cuộc phỏng vấn kết thúc tại đây.",
        "আপনার সময়ের জন্য ধন্যবাদ। সাক্ষাৎকার এখানেই শেষ।",
    ), {"relevant": "${consent} = 'no'"}),
    # -- location ---------------------------------------------------------------------------
    ("begin_group", "location", ("Location", "स्थान", "Địa bàn", "অবস্থান"), {"relevant": YES}),
    ("select_one province", "district", (
        "Province", "प्रांत", "Tỉnh/thành phố", "প্রদেশ"),
        {"relevant": "${country} = 'VN'", "required": "yes"}),
    ("calculate", "district_iso", None, {
        "calculation": "instance('province')/root/item[name = ${district}]/iso"}),
    ("text", "district_other", (
        "District (name)", "ज़िला (नाम)", "Huyện/quận (tên)", "জেলা (নাম)"),
        {"relevant": "${country} != 'VN'", "required": "yes"}),
    ("select_one area", "area", (
        "Is this place urban or rural?", "यह स्थान शहरी है या ग्रामीण?",
        "Địa bàn này là thành thị hay nông thôn?", "এই স্থানটি শহুরে নাকি গ্রামীণ?"), {"required": "yes"}),
    ("text", "village", (
        "Village or cluster code", "गाँव या क्लस्टर कोड", "Mã thôn/bản hoặc cụm", "গ্রাম বা ক্লাস্টার কোড"),
        {"required": "yes"}),
    ("end_group", "location", None, {}),
    # -- household size and roster ------------------------------------------------------------
    ("begin_group", "household", ("Household", "परिवार", "Hộ gia đình", "খানা"), {"relevant": YES}),
    ("integer", "hh_size", (
        "How many people usually live and eat in this household?",
        "इस परिवार में आमतौर पर कितने लोग रहते और खाना खाते हैं?",
        "Có bao nhiêu người thường xuyên ăn ở trong hộ này?",
        "এই খানায় সাধারণত কতজন মানুষ থাকেন ও খাওয়া-দাওয়া করেন?"),
        {"required": "yes", "constraint": ". >= 1 and . <= 30"}),
    ("end_group", "household", None, {}),
    ("begin_repeat", "roster", (
        "Household members", "परिवार के सदस्य", "Thành viên hộ", "খানার সদস্য"),
        {"relevant": YES, "repeat_count": "${hh_size}"}),
    ("text", "name", (
        "What is the name of this person?", "इस व्यक्ति का नाम क्या है?",
        "Tên của người này là gì?", "এই ব্যক্তির নাম কী?"), {"required": "yes", "lnob::personal": "yes"}),
    ("select_one relation", "relation", (
        "What is ${name}'s relationship to the head of household?",
        "${name} का परिवार के मुखिया से क्या संबंध है?",
        "${name} có quan hệ gì với chủ hộ?",
        "খানাপ্রধানের সাথে ${name}-এর সম্পর্ক কী?"), {"required": "yes"}),
    ("select_one sex", "sex", (
        "Is ${name} female or male?", "${name} महिला है या पुरुष?", "${name} là nữ hay nam?",
        "${name} নারী না পুরুষ?"), {"required": "yes"}),
    ("integer", "age", (
        "How old is ${name} (completed years)?", "${name} की उम्र कितनी है (पूरे वर्षों में)?",
        "${name} bao nhiêu tuổi (tròn năm)?", "${name}-এর বয়স কত (পূর্ণ বছরে)?"),
        {"required": "yes", "constraint": ". >= 0 and . <= 120"}),
    ("select_one ethnicity", "ethnicity", (
        "Which ethnic group does ${name} belong to (as the person identifies)?",
        "${name} किस जातीय समूह से हैं (जैसा वह व्यक्ति स्वयं पहचानता है)?",
        "${name} thuộc dân tộc nào (theo cách người đó tự xác định)?",
        "${name} কোন জাতিগোষ্ঠীর (ব্যক্তি নিজে যেভাবে পরিচয় দেন)?"),
        {"relevant": "${country} = 'VN'", "hint": SELF_ID_HINT}),
    ("text", "ethnicity_other", (
        "Which other group?", "कौन सा अन्य समूह?", "Dân tộc nào khác?", "অন্য কোন গোষ্ঠী?"),
        {"relevant": "${ethnicity} = 'other'"}),
    ("select_one caste", "caste", (
        "Which caste or social group does ${name} belong to (as the person identifies)?",
        "${name} किस जाति या सामाजिक समूह से हैं (जैसा वह व्यक्ति स्वयं पहचानता है)?",
        "${name} thuộc đẳng cấp hoặc nhóm xã hội nào (theo cách người đó tự xác định)?",
        "${name} কোন বর্ণ বা সামাজিক গোষ্ঠীর (ব্যক্তি নিজে যেভাবে পরিচয় দেন)?"),
        {"relevant": SOUTH_ASIA, "hint": SELF_ID_HINT}),
    ("select_one religion", "religion", (
        "What is ${name}'s religion, if any?", "${name} का धर्म क्या है, यदि कोई हो?",
        "${name} theo tôn giáo nào (nếu có)?", "${name}-এর ধর্ম কী, যদি থাকে?"),
        {"hint": SELF_ID_HINT}),
    ("select_one migration", "migration", (
        "Where did ${name} live five years ago?", "पाँच साल पहले ${name} कहाँ रहते थे?",
        "Năm năm trước ${name} sống ở đâu?", "পাঁচ বছর আগে ${name} কোথায় থাকতেন?"), {}),
    ("begin_group", "wg", (
        "Difficulties in daily activities (Washington Group Short Set)",
        "दैनिक गतिविधियों में कठिनाइयाँ (वाशिंगटन ग्रुप शॉर्ट सेट)",
        "Khó khăn trong sinh hoạt hằng ngày (Bộ câu hỏi ngắn Nhóm Washington)",
        "দৈনন্দিন কাজে অসুবিধা (ওয়াশিংটন গ্রুপ শর্ট সেট)"), {"relevant": "${age} >= 5"}),
    ("select_one wg", "wg_seeing", (
        "Does ${name} have difficulty seeing, even if wearing glasses?",
        "क्या ${name} को चश्मा पहनने पर भी देखने में कठिनाई होती है?",
        "${name} có gặp khó khăn khi nhìn, kể cả khi đeo kính không?",
        "চশমা পরলেও কি ${name}-এর দেখতে অসুবিধা হয়?"), {"required": "yes"}),
    ("select_one wg", "wg_hearing", (
        "Does ${name} have difficulty hearing, even if using a hearing aid?",
        "क्या ${name} को श्रवण यंत्र का उपयोग करने पर भी सुनने में कठिनाई होती है?",
        "${name} có gặp khó khăn khi nghe, kể cả khi dùng máy trợ thính không?",
        "শ্রবণযন্ত্র ব্যবহার করলেও কি ${name}-এর শুনতে অসুবিধা হয়?"), {"required": "yes"}),
    ("select_one wg", "wg_walking", (
        "Does ${name} have difficulty walking or climbing steps?",
        "क्या ${name} को चलने या सीढ़ियाँ चढ़ने में कठिनाई होती है?",
        "${name} có gặp khó khăn khi đi bộ hoặc leo cầu thang không?",
        "${name}-এর কি হাঁটতে বা সিঁড়ি বেয়ে উঠতে অসুবিধা হয়?"), {"required": "yes"}),
    ("select_one wg", "wg_remembering", (
        "Does ${name} have difficulty remembering or concentrating?",
        "क्या ${name} को याद रखने या ध्यान केंद्रित करने में कठिनाई होती है?",
        "${name} có gặp khó khăn khi ghi nhớ hoặc tập trung không?",
        "${name}-এর কি মনে রাখতে বা মনোযোগ দিতে অসুবিধা হয়?"), {"required": "yes"}),
    ("select_one wg", "wg_selfcare", (
        "Does ${name} have difficulty with self-care, such as washing all over or dressing?",
        "क्या ${name} को अपनी देखभाल, जैसे पूरा नहाने या कपड़े पहनने में कठिनाई होती है?",
        "${name} có gặp khó khăn trong việc tự chăm sóc như tắm rửa hoặc mặc quần áo không?",
        "${name}-এর কি নিজের যত্ন নিতে, যেমন পুরো শরীর ধোয়া বা পোশাক পরতে অসুবিধা হয়?"), {"required": "yes"}),
    ("select_one wg", "wg_communicating", (
        "Using their usual language, does ${name} have difficulty communicating, "
        "for example understanding or being understood?",
        "अपनी सामान्य भाषा का उपयोग करते हुए, क्या ${name} को संवाद करने में, जैसे समझने या समझाए जाने में "
        "कठिनाई होती है?",
        "Khi dùng ngôn ngữ thông thường của mình, ${name} có gặp khó khăn trong giao tiếp, "
        "ví dụ hiểu người khác hoặc được người khác hiểu không?",
        "নিজের স্বাভাবিক ভাষা ব্যবহার করে ${name}-এর কি যোগাযোগে, যেমন বুঝতে বা বোঝাতে অসুবিধা হয়?"),
        {"required": "yes"}),
    ("end_group", "wg", None, {}),
    ("select_one yes_no", "attends_school", (
        "Is ${name} currently attending school?", "क्या ${name} वर्तमान में स्कूल जाते हैं?",
        "Hiện nay ${name} có đang đi học không?", "${name} কি বর্তমানে স্কুলে যায়?"),
        {"relevant": "${age} >= 5 and ${age} <= 17", "required": "yes"}),
    ("select_one birth_reg", "birth_registered", (
        "Does ${name} have a birth certificate, or has the birth been registered?",
        "क्या ${name} का जन्म प्रमाणपत्र है, या जन्म का पंजीकरण हुआ है?",
        "${name} có giấy khai sinh không, hoặc đã được đăng ký khai sinh chưa?",
        "${name}-এর কি জন্ম সনদ আছে, বা জন্ম নিবন্ধন হয়েছে?"),
        {"relevant": "${age} < 5", "required": "yes"}),
    ("select_one marital", "marital_status", (
        "What is ${name}'s marital status?", "${name} की वैवाहिक स्थिति क्या है?",
        "Tình trạng hôn nhân của ${name} là gì?", "${name}-এর বৈবাহিক অবস্থা কী?"),
        {"relevant": "${age} >= 15", "required": "yes"}),
    ("integer", "age_first_marriage", (
        "How old was ${name} when she first married or began living with a partner?",
        "जब ${name} की पहली बार शादी हुई या वह साथी के साथ रहने लगीं, तब उनकी उम्र कितनी थी?",
        "${name} bao nhiêu tuổi khi kết hôn hoặc bắt đầu chung sống với bạn đời lần đầu?",
        "${name} যখন প্রথম বিয়ে করেন বা সঙ্গীর সাথে থাকতে শুরু করেন, তখন তাঁর বয়স কত ছিল?"),
        {"relevant": "${sex} = 'female' and ${age} >= 20 and ${age} <= 24 and "
                     "${marital_status} != 'never_married'",
         "constraint": ". >= 10 and . <= ${age}", "required": "yes"}),
    ("select_one yes_no_dk", "health_insurance", (
        "Is ${name} covered by any health insurance?", "क्या ${name} किसी स्वास्थ्य बीमा के अंतर्गत आते हैं?",
        "${name} có thẻ bảo hiểm y tế không?", "${name} কি কোনো স্বাস্থ্য বীমার আওতায় আছেন?"),
        {"required": "yes"}),
    ("end_repeat", "roster", None, {}),
    # -- water and sanitation (JMP) -------------------------------------------------------------
    ("begin_group", "wash", (
        "Water and sanitation", "पानी और स्वच्छता", "Nước và vệ sinh", "পানি ও স্যানিটেশন"), {"relevant": YES}),
    ("select_one water_source", "water_source", (
        "What is the main source of drinking water for members of your household?",
        "आपके परिवार के सदस्यों के लिए पीने के पानी का मुख्य स्रोत क्या है?",
        "Nguồn nước uống chính của các thành viên trong hộ là gì?",
        "আপনার খানার সদস্যদের খাবার পানির প্রধান উৎস কী?"), {"required": "yes"}),
    ("select_one water_location", "water_location", (
        "Where is that water source located?", "वह जल स्रोत कहाँ स्थित है?",
        "Nguồn nước đó nằm ở đâu?", "সেই পানির উৎস কোথায় অবস্থিত?"),
        {"relevant": "not(${water_source} = 'piped_dwelling' or ${water_source} = 'piped_yard' or "
                     "${water_source} = 'bottled')", "required": "yes"}),
    ("integer", "water_time", (
        "How long does it take to go there, get water and come back (minutes)?",
        "वहाँ जाने, पानी लेने और वापस आने में कितना समय लगता है (मिनट)?",
        "Mất bao lâu để đi đến đó, lấy nước và quay về (phút)?",
        "সেখানে গিয়ে পানি এনে ফিরে আসতে কত সময় লাগে (মিনিট)?"),
        {"relevant": "${water_location} = 'elsewhere'", "constraint": ". >= 0 and . <= 1440",
         "required": "yes"}),
    ("select_one yes_no_dk", "water_shortage", (
        "In the last month, was there any time when your household did not have enough drinking water "
        "when needed?",
        "पिछले महीने, क्या कभी ऐसा हुआ कि आपके परिवार के पास ज़रूरत के समय पर्याप्त पीने का पानी नहीं था?",
        "Trong tháng qua, có lúc nào hộ ông/bà không có đủ nước uống khi cần không?",
        "গত মাসে কি কখনো এমন হয়েছে যে প্রয়োজনের সময় আপনার খানায় যথেষ্ট খাবার পানি ছিল না?"),
        {"required": "yes"}),
    ("select_one sanitation", "sanitation", (
        "What kind of toilet facility do members of your household usually use?",
        "आपके परिवार के सदस्य आमतौर पर किस प्रकार के शौचालय का उपयोग करते हैं?",
        "Các thành viên trong hộ thường sử dụng loại nhà vệ sinh nào?",
        "আপনার খানার সদস্যরা সাধারণত কী ধরনের টয়লেট ব্যবহার করেন?"), {"required": "yes"}),
    ("select_one yes_no", "sanitation_shared", (
        "Do you share this facility with other households?",
        "क्या आप यह सुविधा अन्य परिवारों के साथ साझा करते हैं?",
        "Hộ ông/bà có dùng chung nhà vệ sinh này với hộ khác không?",
        "আপনি কি এই সুবিধা অন্য খানার সাথে ভাগ করে ব্যবহার করেন?"),
        {"relevant": "${sanitation} != 'no_facility'", "required": "yes"}),
    ("end_group", "wash", None, {}),
    # -- social protection --------------------------------------------------------------------
    ("begin_group", "protection", (
        "Social protection", "सामाजिक सुरक्षा", "An sinh xã hội", "সামাজিক সুরক্ষা"), {"relevant": YES}),
    ("select_one yes_no_dk", "sp_receives", (
        "In the past 12 months, did anyone in your household receive any social protection benefit "
        "(cash or in kind) from the government?",
        "पिछले 12 महीनों में, क्या आपके परिवार में किसी को सरकार से कोई सामाजिक सुरक्षा लाभ "
        "(नकद या वस्तु के रूप में) मिला?",
        "Trong 12 tháng qua, có ai trong hộ nhận được trợ cấp an sinh xã hội nào (bằng tiền hoặc hiện vật) "
        "từ nhà nước không?",
        "গত ১২ মাসে আপনার খানার কেউ কি সরকারের কাছ থেকে কোনো সামাজিক সুরক্ষা সুবিধা (নগদ বা দ্রব্য) পেয়েছেন?"),
        {"required": "yes"}),
    ("select_multiple sp_type", "sp_types", (
        "Which benefits?", "कौन से लाभ?", "Những khoản trợ cấp nào?", "কোন কোন সুবিধা?"),
        {"relevant": "${sp_receives} = 'yes'", "required": "yes"}),
    ("end_group", "protection", None, {}),
    # -- assets (wealth index) ----------------------------------------------------------------
    ("begin_group", "wealth", (
        "Household assets", "घरेलू संपत्ति", "Tài sản của hộ", "খানার সম্পদ"), {"relevant": YES}),
    ("select_multiple asset", "assets", (
        "Does your household have any of the following? (select all that apply)",
        "क्या आपके परिवार के पास निम्न में से कुछ है? (जो लागू हों सभी चुनें)",
        "Hộ ông/bà có những thứ nào sau đây? (chọn tất cả các mục phù hợp)",
        "আপনার খানায় নিচের কোনগুলো আছে? (প্রযোজ্য সব বেছে নিন)"),
        {"required": "yes", "constraint": "not(selected(., 'none') and count-selected(.) > 1)"}),
    ("end_group", "wealth", None, {}),
    ("note", "thanks", (
        "Thank you. The interview is complete.", "धन्यवाद। साक्षात्कार पूरा हुआ।",
        "Xin cảm ơn. Cuộc phỏng vấn đã hoàn thành.", "ধন্যবাদ। সাক্ষাৎকার সম্পন্ন হয়েছে।"), {"relevant": YES}),
]

PREFER_NOT = ("Prefer not to say", "बताना नहीं चाहते", "Không muốn trả lời", "বলতে চান না")
OTHER = ("Other", "अन्य", "Khác", "অন্য")
DONT_KNOW = ("Don't know", "पता नहीं", "Không biết", "জানি না")


# list_name → [(name, (en, hi, vi, bn), {extra columns})]
CHOICES = {
    "country": [
        ("VN", ("Viet Nam", "वियतनाम", "Việt Nam", "ভিয়েতনাম"), {}),
        ("IN", ("India", "भारत", "Ấn Độ", "ভারত"), {}),
        ("NP", ("Nepal", "नेपाल", "Nê-pan", "নেপাল"), {}),
        ("BD", ("Bangladesh", "बांग्लादेश", "Băng-la-đét", "বাংলাদেশ"), {}),
        ("other", ("Other country", "अन्य देश", "Quốc gia khác", "অন্য দেশ"), {}),
    ],
    "yes_no": [
        ("yes", ("Yes", "हाँ", "Có", "হ্যাঁ"), {}),
        ("no", ("No", "नहीं", "Không", "না"), {}),
    ],
    "yes_no_dk": [
        ("yes", ("Yes", "हाँ", "Có", "হ্যাঁ"), {}),
        ("no", ("No", "नहीं", "Không", "না"), {}),
        ("dont_know", DONT_KNOW, {}),
    ],
    "province": [
        (slug, (ascii_name, ascii_name, "Hồ Chí Minh" if slug == "ho_chi_minh" else geo, ascii_name),
         {"iso": iso, "geo_name": geo})
        for slug, iso, geo, ascii_name in PROVINCES
    ],
    "area": [
        ("urban", ("Urban", "शहरी", "Thành thị", "শহুরে"), {}),
        ("rural", ("Rural", "ग्रामीण", "Nông thôn", "গ্রামীণ"), {}),
    ],
    "relation": [
        ("head", ("Head of household", "परिवार का मुखिया", "Chủ hộ", "খানাপ্রধান"), {}),
        ("spouse", ("Spouse or partner", "पति/पत्नी या साथी", "Vợ/chồng hoặc bạn đời", "স্বামী/স্ত্রী বা সঙ্গী"), {}),
        ("child", ("Son or daughter", "बेटा या बेटी", "Con", "ছেলে বা মেয়ে"), {}),
        ("parent", ("Parent", "माता या पिता", "Cha hoặc mẹ", "বাবা বা মা"), {}),
        ("other_relative", ("Other relative", "अन्य रिश्तेदार", "Họ hàng khác", "অন্য আত্মীয়"), {}),
        ("not_related", ("Not related", "रिश्तेदार नहीं", "Không có quan hệ họ hàng", "আত্মীয় নন"), {}),
    ],
    "sex": [
        ("female", ("Female", "महिला", "Nữ", "নারী"), {}),
        ("male", ("Male", "पुरुष", "Nam", "পুরুষ"), {}),
    ],
    "ethnicity": [
        ("kinh", ("Kinh", "किन्ह", "Kinh", "কিন"), {}),
        ("tay", ("Tày", "ताय", "Tày", "তায়"), {}),
        ("thai", ("Thái", "थाई", "Thái", "থাই"), {}),
        ("muong", ("Mường", "मुओंग", "Mường", "মুয়ং"), {}),
        ("khmer", ("Khmer", "ख्मेर", "Khmer", "খমের"), {}),
        ("hmong", ("Hmong (H'Mông)", "ह्मोंग", "H'Mông", "হমং"), {}),
        ("dao", ("Dao", "दाओ", "Dao", "দাও"), {}),
        ("nung", ("Nùng", "नुंग", "Nùng", "নুং"), {}),
        ("other", ("Other group", "अन्य समूह", "Dân tộc khác", "অন্য গোষ্ঠী"), {}),
        ("prefer_not", PREFER_NOT, {}),
    ],
    "caste": [
        ("dalit", ("Dalit / Scheduled Caste", "दलित / अनुसूचित जाति", "Dalit / Đẳng cấp theo danh mục (SC)",
                   "দলিত / তফসিলি জাতি"), {}),
        ("adivasi", ("Adivasi / Scheduled Tribe / Janajati", "आदिवासी / अनुसूचित जनजाति / जनजाति",
                     "Adivasi / Bộ tộc theo danh mục (ST)", "আদিবাসী / তফসিলি উপজাতি / জনজাতি"), {}),
        ("obc", ("Other Backward Class", "अन्य पिछड़ा वर्ग", "Tầng lớp lạc hậu khác (OBC)",
                 "অন্যান্য অনগ্রসর শ্রেণি"), {}),
        ("general", ("General / none of these", "सामान्य / इनमें से कोई नहीं", "Nhóm chung / không thuộc nhóm nào",
                     "সাধারণ / এগুলোর কোনোটিই নয়"), {}),
        ("other", OTHER, {}),
        ("prefer_not", PREFER_NOT, {}),
    ],
    "religion": [
        ("none", ("No religion", "कोई धर्म नहीं", "Không theo tôn giáo", "কোনো ধর্ম নেই"), {}),
        ("buddhist", ("Buddhist", "बौद्ध", "Phật giáo", "বৌদ্ধ"), {}),
        ("catholic", ("Catholic", "कैथोलिक", "Công giáo", "ক্যাথলিক"), {}),
        ("protestant", ("Protestant", "प्रोटेस्टेंट", "Tin Lành", "প্রোটেস্ট্যান্ট"), {}),
        ("cao_dai", ("Cao Đài", "काओ दाई", "Cao Đài", "কাও দাই"), {}),
        ("hoa_hao", ("Hòa Hảo", "होआ हाओ", "Phật giáo Hòa Hảo", "হোয়া হাও"), {}),
        ("hindu", ("Hindu", "हिंदू", "Ấn Độ giáo", "হিন্দু"), {}),
        ("muslim", ("Muslim", "मुस्लिम", "Hồi giáo", "মুসলিম"), {}),
        ("other", OTHER, {}),
        ("prefer_not", PREFER_NOT, {}),
    ],
    "migration": [
        ("same_place", ("In this commune or village", "इसी गाँव या कस्बे में", "Tại xã/phường này",
                        "এই গ্রাম বা এলাকায়"), {}),
        ("same_province", ("Elsewhere in this province", "इसी प्रांत में कहीं और", "Nơi khác trong tỉnh này",
                           "এই প্রদেশের অন্য কোথাও"), {}),
        ("other_province", ("In another province", "किसी अन्य प्रांत में", "Ở tỉnh khác", "অন্য প্রদেশে"), {}),
        ("abroad", ("In another country", "किसी अन्य देश में", "Ở nước ngoài", "অন্য দেশে"), {}),
        ("not_born", ("Not yet born", "तब जन्म नहीं हुआ था", "Chưa sinh ra", "তখন জন্ম হয়নি"), {}),
        ("prefer_not", PREFER_NOT, {}),
    ],
    "wg": [
        ("no_difficulty", ("No difficulty", "कोई कठिनाई नहीं", "Không khó khăn", "কোনো অসুবিধা নেই"), {}),
        ("some_difficulty", ("Some difficulty", "कुछ कठिनाई", "Có chút khó khăn", "কিছুটা অসুবিধা"), {}),
        ("a_lot_of_difficulty", ("A lot of difficulty", "बहुत कठिनाई", "Rất khó khăn", "অনেক অসুবিধা"), {}),
        ("cannot_do_at_all", ("Cannot do at all", "बिल्कुल नहीं कर सकते", "Hoàn toàn không thể làm được",
                              "একেবারেই পারেন না"), {}),
    ],
    "birth_reg": [
        ("certificate", ("Yes, has a birth certificate", "हाँ, जन्म प्रमाणपत्र है", "Có, có giấy khai sinh",
                         "হ্যাঁ, জন্ম সনদ আছে"), {}),
        ("registered_no_certificate", ("Registered, no certificate", "पंजीकृत, प्रमाणपत्र नहीं",
                                       "Đã đăng ký, không có giấy", "নিবন্ধিত, সনদ নেই"), {}),
        ("not_registered", ("Not registered", "पंजीकृत नहीं", "Chưa đăng ký", "নিবন্ধিত নয়"), {}),
        ("dont_know", DONT_KNOW, {}),
    ],
    "marital": [
        ("never_married", ("Never married", "कभी विवाह नहीं हुआ", "Chưa kết hôn", "কখনো বিয়ে হয়নি"), {}),
        ("married", ("Married", "विवाहित", "Đã kết hôn", "বিবাহিত"), {}),
        ("living_together", ("Living with a partner", "साथी के साथ रहते हैं", "Sống chung với bạn đời",
                             "সঙ্গীর সাথে থাকেন"), {}),
        ("divorced_separated", ("Divorced or separated", "तलाकशुदा या अलग", "Ly hôn hoặc ly thân",
                                "তালাকপ্রাপ্ত বা আলাদা"), {}),
        ("widowed", ("Widowed", "विधवा या विधुर", "Góa", "বিধবা বা বিপত্নীক"), {}),
    ],
    "water_source": [
        ("piped_dwelling", ("Piped into dwelling", "घर के अंदर पाइप से", "Nước máy dẫn vào nhà",
                            "ঘরের ভেতরে পাইপের পানি"), {"jmp": "improved"}),
        ("piped_yard", ("Piped to yard or plot", "आँगन या प्लॉट तक पाइप से", "Nước máy dẫn đến sân/vườn",
                        "উঠান বা প্লটে পাইপের পানি"), {"jmp": "improved"}),
        ("piped_neighbour", ("Piped to neighbour", "पड़ोसी के यहाँ पाइप से", "Nước máy nhà hàng xóm",
                             "প্রতিবেশীর পাইপের পানি"), {"jmp": "improved"}),
        ("public_tap", ("Public tap or standpipe", "सार्वजनिक नल", "Vòi nước công cộng", "সরকারি কল"),
         {"jmp": "improved"}),
        ("tubewell", ("Tube well or borehole", "ट्यूबवेल या बोरवेल", "Giếng khoan", "নলকূপ"), {"jmp": "improved"}),
        ("protected_well", ("Protected dug well", "सुरक्षित खुदा कुआँ", "Giếng đào được bảo vệ", "সুরক্ষিত কুয়া"),
         {"jmp": "improved"}),
        ("unprotected_well", ("Unprotected dug well", "असुरक्षित खुदा कुआँ", "Giếng đào không được bảo vệ",
                              "অরক্ষিত কুয়া"), {"jmp": "unimproved"}),
        ("protected_spring", ("Protected spring", "सुरक्षित झरना", "Nước mó/suối được bảo vệ", "সুরক্ষিত ঝরনা"),
         {"jmp": "improved"}),
        ("unprotected_spring", ("Unprotected spring", "असुरक्षित झरना", "Nước mó/suối không được bảo vệ",
                                "অরক্ষিত ঝরনা"), {"jmp": "unimproved"}),
        ("rainwater", ("Rainwater", "वर्षा जल", "Nước mưa", "বৃষ্টির পানি"), {"jmp": "improved"}),
        ("tanker", ("Tanker truck or cart", "टैंकर या गाड़ी", "Xe bồn hoặc xe chở nước", "ট্যাংকার বা গাড়ি"),
         {"jmp": "improved"}),
        ("bottled", ("Bottled water", "बोतलबंद पानी", "Nước đóng chai/bình", "বোতলজাত পানি"), {"jmp": "improved"}),
        ("surface", ("Surface water (river, stream, pond, canal)", "सतही जल (नदी, नाला, तालाब, नहर)",
                     "Nước mặt (sông, suối, ao, kênh)", "ভূপৃষ্ঠের পানি (নদী, খাল, পুকুর)"), {"jmp": "surface"}),
        ("other", OTHER, {"jmp": "unimproved"}),
    ],
    "water_location": [
        ("in_dwelling", ("In own dwelling", "अपने घर में", "Trong nhà", "নিজের ঘরে"), {}),
        ("in_yard", ("In own yard or plot", "अपने आँगन या प्लॉट में", "Trong sân/vườn nhà", "নিজের উঠানে বা প্লটে"),
         {}),
        ("elsewhere", ("Elsewhere", "कहीं और", "Nơi khác", "অন্য কোথাও"), {}),
    ],
    "sanitation": [
        ("flush_sewer", ("Flush to piped sewer system", "पाइप सीवर प्रणाली में फ्लश",
                         "Xả nước vào hệ thống cống", "পাইপযুক্ত পয়ঃনিষ্কাশন ব্যবস্থায় ফ্লাশ"), {"jmp": "improved"}),
        ("flush_septic", ("Flush to septic tank", "सेप्टिक टैंक में फ्लश", "Xả nước vào bể tự hoại",
                          "সেপটিক ট্যাংকে ফ্লাশ"), {"jmp": "improved"}),
        ("flush_pit", ("Flush to pit latrine", "गड्ढा शौचालय में फ्लश", "Xả nước vào hố xí", "গর্ত পায়খানায় ফ্লাশ"),
         {"jmp": "improved"}),
        ("flush_open", ("Flush to open drain or elsewhere", "खुली नाली या कहीं और फ्लश",
                        "Xả nước ra rãnh hở hoặc nơi khác", "খোলা নর্দমায় বা অন্য কোথাও ফ্লাশ"),
         {"jmp": "unimproved"}),
        ("vip", ("Ventilated improved pit latrine", "हवादार उन्नत गड्ढा शौचालय", "Hố xí cải tiến có ống thông hơi",
                 "বায়ুচলাচলযুক্ত উন্নত গর্ত পায়খানা"), {"jmp": "improved"}),
        ("pit_slab", ("Pit latrine with slab", "स्लैब वाला गड्ढा शौचालय", "Hố xí có bệ", "স্ল্যাবসহ গর্ত পায়খানা"),
         {"jmp": "improved"}),
        ("pit_open", ("Pit latrine without slab or open pit", "बिना स्लैब का गड्ढा शौचालय",
                      "Hố xí không có bệ hoặc hố hở", "স্ল্যাব ছাড়া গর্ত পায়খানা"), {"jmp": "unimproved"}),
        ("composting", ("Composting toilet", "कम्पोस्टिंग शौचालय", "Nhà vệ sinh ủ phân", "কম্পোস্টিং টয়লেট"),
         {"jmp": "improved"}),
        ("bucket", ("Bucket", "बाल्टी", "Xô/thùng", "বালতি"), {"jmp": "unimproved"}),
        ("hanging", ("Hanging toilet or latrine", "लटकता शौचालय", "Cầu tõm", "ঝুলন্ত পায়খানা"),
         {"jmp": "unimproved"}),
        ("no_facility", ("No facility, bush or field", "कोई सुविधा नहीं, झाड़ी या खेत",
                         "Không có, đi ngoài ra bụi cây hoặc cánh đồng", "কোনো ব্যবস্থা নেই, ঝোপ বা মাঠ"),
         {"jmp": "open_defecation"}),
        ("other", OTHER, {"jmp": "unimproved"}),
    ],
    "sp_type": [
        ("poor_household", ("Poor-household support", "गरीब परिवार सहायता", "Hỗ trợ hộ nghèo",
                            "দরিদ্র খানা সহায়তা"), {}),
        ("social_pension", ("Social pension (older people)", "सामाजिक पेंशन (वृद्धजन)",
                            "Trợ cấp xã hội cho người cao tuổi", "সামাজিক পেনশন (বয়স্ক)"), {}),
        ("disability_allowance", ("Disability allowance", "विकलांगता भत्ता", "Trợ cấp cho người khuyết tật",
                                  "প্রতিবন্ধী ভাতা"), {}),
        ("child_benefit", ("Child benefit or school support", "बाल लाभ या स्कूल सहायता",
                           "Hỗ trợ trẻ em hoặc hỗ trợ học tập", "শিশু ভাতা বা স্কুল সহায়তা"), {}),
        ("ethnic_minority", ("Support for ethnic minorities", "जातीय अल्पसंख्यकों के लिए सहायता",
                             "Hỗ trợ đồng bào dân tộc thiểu số", "নৃগোষ্ঠী সংখ্যালঘুদের জন্য সহায়তা"), {}),
        ("other", OTHER, {}),
    ],
    "asset": [
        ("electricity", ("Electricity", "बिजली", "Điện", "বিদ্যুৎ"), {}),
        ("radio", ("Radio", "रेडियो", "Đài (radio)", "রেডিও"), {}),
        ("television", ("Television", "टेलीविज़न", "Ti vi", "টেলিভিশন"), {}),
        ("mobile_phone", ("Mobile phone", "मोबाइल फ़ोन", "Điện thoại di động", "মোবাইল ফোন"), {}),
        ("refrigerator", ("Refrigerator", "फ्रिज", "Tủ lạnh", "ফ্রিজ"), {}),
        ("washing_machine", ("Washing machine", "वॉशिंग मशीन", "Máy giặt", "ওয়াশিং মেশিন"), {}),
        ("air_conditioner", ("Air conditioner", "एयर कंडीशनर", "Điều hòa", "এয়ার কন্ডিশনার"), {}),
        ("computer", ("Computer", "कंप्यूटर", "Máy vi tính", "কম্পিউটার"), {}),
        ("internet", ("Internet at home", "घर पर इंटरनेट", "Internet tại nhà", "বাড়িতে ইন্টারনেট"), {}),
        ("bicycle", ("Bicycle", "साइकिल", "Xe đạp", "সাইকেল"), {}),
        ("motorbike", ("Motorbike", "मोटरसाइकिल", "Xe máy", "মোটরসাইকেল"), {}),
        ("car", ("Car", "कार", "Ô tô", "গাড়ি"), {}),
        ("none", ("None of these", "इनमें से कोई नहीं", "Không có thứ nào", "এগুলোর কোনোটিই নয়"), {}),
    ],
}

SURVEY_COLUMNS = (["type", "name"] + [f"label::{lang}" for lang in LANGS] + [f"hint::{lang}" for lang in LANGS]
                  + ["required", "relevant", "constraint", "calculation", "repeat_count", "default",
                     "lnob::personal"])
CHOICE_EXTRA = ["iso", "geo_name", "jmp"]
CHOICE_COLUMNS = ["list_name", "name"] + [f"label::{lang}" for lang in LANGS] + CHOICE_EXTRA
SETTINGS = {"form_id": FORM_ID, "form_title": TITLE, "version": VERSION, "default_language": LANGS[0]}


def survey_rows() -> list[list[str]]:
    rows = []
    for qtype, name, labels, extra in SURVEY:
        row = {"type": qtype, "name": name}
        if labels:
            row.update({f"label::{lang}": text for lang, text in zip(LANGS, labels, strict=True)})
        for key, value in extra.items():
            if key == "hint":
                row.update({f"hint::{lang}": text for lang, text in zip(LANGS, value, strict=True)})
            else:
                row[key] = value
        unknown = set(row) - set(SURVEY_COLUMNS)
        assert not unknown, unknown
        rows.append([row.get(c, "") for c in SURVEY_COLUMNS])
    return rows


def choice_rows() -> list[list[str]]:
    rows = []
    for list_name, items in CHOICES.items():
        for name, labels, extra in items:
            row = {"list_name": list_name, "name": name}
            row.update({f"label::{lang}": text for lang, text in zip(LANGS, labels, strict=True)})
            row.update(extra)
            rows.append([row.get(c, "") for c in CHOICE_COLUMNS])
    return rows


_FIXED_TIME = "2025-06-01T00:00:00Z"


def build_bytes() -> bytes:
    """The XLSForm's bytes (identical on every run)."""
    import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(SURVEY_COLUMNS)
    for row in survey_rows():
        ws.append(row)
    cs = wb.create_sheet("choices")
    cs.append(CHOICE_COLUMNS)
    for row in choice_rows():
        cs.append(row)
    ss = wb.create_sheet("settings")
    ss.append(list(SETTINGS))
    ss.append(list(SETTINGS.values()))
    fixed = datetime.datetime(2025, 6, 1)
    wb.properties.creator = "lnob"
    wb.properties.created = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Fix the zip entry times and the workbook's modified date so the bytes are reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rf"\g<1>{_FIXED_TIME}\g<2>",
                              text)
                text = re.sub(r"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)", rf"\g<1>{_FIXED_TIME}\g<2>",
                              text)
                content = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, content)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else OUTPUT
    target.write_bytes(build_bytes())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
