"""Message `content`: one pool of JSON strings, picked by integer code per row.

Texts are short chat lines in the shop's language (Indonesian, English, Thai, Vietnamese), shaped
like the TikTok Shop message API's content JSON (`{"content": "..."}`); cards carry ids. A chunk
stores a code per row and the writer takes the strings from the pool in one vectorised step.
"""

from __future__ import annotations

import json

import numpy as np

from chat_warehouse.generator.schema import MT
from chat_warehouse.generator.world import LANGUAGES

TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "buyer_open": {
        "id": (
            "Halo kak, barangnya ready?",
            "Kak, ukuran L masih ada?",
            "Pesanan saya kok belum dikirim ya?",
            "Bisa kirim hari ini kak?",
            "Kak ini ori kan?",
            "Warna hitam masih ada stok?",
            "Kak, paket saya sudah sampai mana?",
            "Mau retur kak, barangnya rusak",
            "Bisa COD nggak kak?",
            "Kak ada promo gratis ongkir?",
        ),
        "en": (
            "Hi, is this in stock?",
            "Do you ship to Jurong today?",
            "Where is my order?",
            "Is size M still available?",
            "Can I change my delivery address?",
            "The item arrived damaged, can I return it?",
            "Any bundle discount?",
            "Is this the original product?",
        ),
        "th": (
            "สวัสดีค่ะ สินค้ายังมีไหมคะ",
            "ส่งวันนี้ได้ไหมครับ",
            "พัสดุถึงไหนแล้วคะ",
            "มีไซซ์ M ไหมคะ",
            "ของแท้ไหมครับ",
            "สินค้าชำรุด ขอคืนได้ไหมคะ",
        ),
        "vi": (
            "Shop ơi còn hàng không ạ?",
            "Đơn của em giao chưa shop?",
            "Size 42 còn không ạ?",
            "Hàng chính hãng không shop?",
            "Em muốn đổi trả ạ",
            "Có freeship không shop?",
        ),
    },
    "buyer_follow": {
        "id": (
            "Oke kak",
            "Kalau yang biru ada?",
            "Berapa lama sampainya?",
            "Nomor resinya berapa kak?",
            "Bisa tambah bubble wrap?",
            "Siap kak, saya checkout sekarang",
            "Masih belum sampai kak",
        ),
        "en": (
            "Okay",
            "What about the blue one?",
            "How long is delivery?",
            "Can you send the tracking number?",
            "Great, ordering now",
            "Still not received",
        ),
        "th": ("โอเคค่ะ", "สีฟ้ามีไหมคะ", "กี่วันถึงครับ", "ขอเลขพัสดุหน่อยค่ะ", "สั่งเลยค่ะ"),
        "vi": (
            "Dạ vâng",
            "Màu xanh có không ạ?",
            "Bao lâu thì nhận được ạ?",
            "Cho em mã vận đơn ạ",
            "Em đặt luôn nhé",
        ),
    },
    "buyer_nudge": {
        "id": ("Halo kak??", "Kak, kok nggak dibalas?", "Permisi, ada orang?"),
        "en": ("Hello??", "Anyone there?", "Please reply"),
        "th": ("สวัสดีค่ะ??", "มีใครอยู่ไหมคะ"),
        "vi": ("Shop ơi??", "Có ai không ạ?"),
    },
    "buyer_thanks": {
        "id": ("Makasih kak", "Terima kasih banyak kak 🙏", "Oke siap, makasih"),
        "en": ("Thanks!", "Thank you so much", "Ok thanks"),
        "th": ("ขอบคุณค่ะ", "ขอบคุณมากครับ"),
        "vi": ("Cảm ơn shop ạ", "Dạ em cảm ơn"),
    },
    "cs_first": {
        "id": (
            "Halo kak, terima kasih sudah menghubungi kami 😊",
            "Ready kak, silakan diorder",
            "Mohon ditunggu kak, kami cek dulu",
            "Pesanan kakak sudah dikirim ya, ini resinya",
            "Maaf atas ketidaknyamanannya kak, kami bantu proses returnya",
        ),
        "en": (
            "Hi! Thanks for reaching out 😊",
            "Yes, it's in stock",
            "Let me check that for you",
            "Your order has shipped, here is the tracking number",
            "Sorry about that, we'll help with the return",
        ),
        "th": ("สวัสดีค่ะ ขอบคุณที่ติดต่อเรา", "มีสินค้าค่ะ", "รอสักครู่นะคะ กำลังตรวจสอบ", "จัดส่งแล้วค่ะ"),
        "vi": (
            "Dạ shop chào bạn ạ",
            "Dạ còn hàng ạ",
            "Bạn chờ shop kiểm tra chút nhé",
            "Đơn đã giao cho vận chuyển ạ",
        ),
    },
    "cs_reply": {
        "id": (
            "Ada kak",
            "Estimasi 2-3 hari kak",
            "Bisa kak",
            "Sudah kami tambahkan catatannya",
            "Resi: JP1234567890",
            "Baik kak, ditunggu pesanannya",
        ),
        "en": (
            "Yes we have it",
            "About 2-3 days",
            "Sure, noted",
            "Tracking: SG1234567890",
            "Anything else?",
        ),
        "th": ("มีค่ะ", "ประมาณ 2-3 วันค่ะ", "ได้ค่ะ", "เลขพัสดุ TH1234567890"),
        "vi": ("Dạ có ạ", "Khoảng 2-3 ngày ạ", "Dạ được ạ", "Mã vận đơn VN1234567890"),
    },
    "cs_thanks": {
        "id": ("Sama-sama kak 🙏", "Terima kasih kembali kak"),
        "en": ("You're welcome!", "Happy to help"),
        "th": ("ยินดีค่ะ",),
        "vi": ("Dạ không có gì ạ",),
    },
    "robot_greeting": {
        "id": ("Halo! Selamat datang di toko kami. Agen kami akan segera membalas.",),
        "en": ("Hi! Welcome to our shop. An agent will reply shortly.",),
        "th": ("สวัสดีค่ะ ยินดีต้อนรับ เจ้าหน้าที่จะตอบกลับโดยเร็ว",),
        "vi": ("Xin chào! Nhân viên sẽ phản hồi bạn sớm nhất.",),
    },
    "robot_holiday": {
        "id": ("Toko sedang libur. Pesan akan dibalas setelah toko buka kembali.",),
        "en": ("We are on holiday and will reply when we are back.",),
        "th": ("ร้านหยุดพักร้อน จะตอบกลับเมื่อกลับมา",),
        "vi": ("Shop đang nghỉ lễ, sẽ phản hồi khi quay lại.",),
    },
    "notification": {
        "id": (
            "Pesanan telah dikirim",
            "Beri penilaian untuk layanan chat ini",
            "Pembayaran berhasil",
        ),
        "en": ("Your order has shipped", "Please rate this chat", "Payment received"),
        "th": ("จัดส่งคำสั่งซื้อแล้ว", "โปรดให้คะแนนการแชทนี้"),
        "vi": ("Đơn hàng đã được giao", "Vui lòng đánh giá cuộc trò chuyện"),
    },
    "invisible_note": {
        "id": ("[catatan internal] cek stok gudang", "[pesan ditarik]"),
        "en": ("[internal note] check warehouse stock", "[message recalled]"),
        "th": ("[บันทึกภายใน] เช็คสต็อก",),
        "vi": ("[ghi chú nội bộ] kiểm tra kho",),
    },
}
# FAQ card questions and the platform's automatic answers, paired by position.
FAQ: dict[str, tuple[tuple[str, str], ...]] = {
    "id": (
        ("Berapa lama pengiriman?", "Pengiriman 1-3 hari kerja."),
        ("Apakah bisa COD?", "Bisa, pilih COD saat checkout."),
        ("Bagaimana cara retur?", "Ajukan retur dalam 7 hari lewat halaman pesanan."),
        ("Apakah produk original?", "Semua produk kami 100% original."),
    ),
    "en": (
        ("How long is shipping?", "Shipping takes 1-3 working days."),
        ("Do you offer returns?", "Request a return within 7 days from the order page."),
        ("Is the product authentic?", "All our products are 100% authentic."),
        ("Do you ship overseas?", "We ship within the country only."),
    ),
    "th": (
        ("จัดส่งกี่วัน", "จัดส่ง 1-3 วันทำการ"),
        ("คืนสินค้าได้ไหม", "คืนได้ภายใน 7 วัน"),
        ("ของแท้ไหม", "สินค้าของแท้ 100%"),
        ("เก็บเงินปลายทางได้ไหม", "ได้ค่ะ"),
    ),
    "vi": (
        ("Giao hàng bao lâu?", "Giao trong 1-3 ngày làm việc."),
        ("Có đổi trả không?", "Đổi trả trong 7 ngày."),
        ("Hàng chính hãng không?", "Cam kết chính hãng 100%."),
        ("Có COD không?", "Có hỗ trợ COD."),
    ),
}
FAQ_SIZE = 4


def _card_pool() -> dict[str, list[str]]:
    """Language-neutral contents: media and cards with deterministic ids."""

    def dumps(obj: dict[str, object]) -> str:
        return json.dumps(obj, separators=(",", ":"))

    return {
        "image": [
            dumps(
                {"url": f"https://img.chat.example/{7300 + i}.jpg", "width": 1080, "height": 1440}
            )
            for i in range(40)
        ],
        "video": [
            dumps({"url": f"https://vid.chat.example/{5100 + i}.mp4", "duration": 8 + i})
            for i in range(10)
        ],
        "emoticon": [
            dumps({"content": e})
            for e in (
                "[smile]",
                "[thumbsup]",
                "[heart]",
                "[pray]",
                "[laugh]",
                "[cry]",
                "[ok]",
                "[wow]",
            )
        ],
        "product_card": [
            dumps({"product_id": str(1729384756102000000 + 37 * i)}) for i in range(60)
        ],
        "order_card": [dumps({"order_id": str(5762019384756000000 + 53 * i)}) for i in range(60)],
        "return_card": [
            dumps({"order_id": str(5762019384756000000 + 53 * i), "return_id": str(4400000 + i)})
            for i in range(20)
        ],
        "coupon_card": [
            dumps({"coupon_id": f"CPN{i:04d}", "discount": f"{5 + i % 4 * 5}%"}) for i in range(8)
        ],
        "other": [dumps({"content": "[unsupported message]"})],
    }


# Which pool a message of each type draws from (TEXT draws from the caller's text category).
TYPE_CATEGORY = {
    MT["IMAGE"]: "image",
    MT["VIDEO"]: "video",
    MT["EMOTICONS"]: "emoticon",
    MT["PRODUCT_CARD"]: "product_card",
    MT["ORDER_CARD"]: "order_card",
    MT["RETURN_REFUND_CARD"]: "return_card",
    MT["COUPON_CARD"]: "coupon_card",
    MT["OTHER"]: "other",
    MT["BUYER_ENTER_FROM_PRODUCT"]: "product_card",
    MT["BUYER_ENTER_FROM_ORDER"]: "order_card",
}


class ContentPool:
    """All content strings of a run and the code ranges of each category and language."""

    def __init__(self, agent_ids: list[str]) -> None:
        self.strings: list[str] = []
        n_lang = len(LANGUAGES)
        self._offset: dict[str, np.ndarray] = {}
        self._count: dict[str, np.ndarray] = {}
        for cat, by_lang in TEXTS.items():
            self._add(
                cat,
                [
                    [json.dumps({"content": t}, ensure_ascii=False) for t in by_lang[lang]]
                    for lang in LANGUAGES
                ],
            )
        for i, part in enumerate(("faq_question", "faq_answer")):
            self._add(
                part,
                [
                    [json.dumps({"content": qa[i]}, ensure_ascii=False) for qa in FAQ[lang]]
                    for lang in LANGUAGES
                ],
            )
        for cat, strings in _card_pool().items():
            self._add(cat, [strings] * n_lang)
        self.alloc_offset = len(self.strings)
        self.strings += [json.dumps({"agent_id": a}) for a in agent_ids]

    def _add(self, cat: str, per_lang: list[list[str]]) -> None:
        offsets, counts = [], []
        shared = all(lst is per_lang[0] for lst in per_lang)
        for lang_strings in per_lang[:1] if shared else per_lang:
            offsets.append(len(self.strings))
            counts.append(len(lang_strings))
            self.strings += lang_strings
        if shared:
            offsets, counts = offsets * len(per_lang), counts * len(per_lang)
        self._offset[cat] = np.array(offsets, np.int64)
        self._count[cat] = np.array(counts, np.int64)

    def pick(self, cat: str, lang: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A random string of `cat` in each row's language; `u` uniform in [0, 1)."""
        return self._offset[cat][lang] + (u * self._count[cat][lang]).astype(np.int64)

    def nth(self, cat: str, lang: np.ndarray, k: np.ndarray) -> np.ndarray:
        """The k-th string of `cat` in each row's language (pairs FAQ questions and answers)."""
        return self._offset[cat][lang] + k

    def alloc(self, agent: np.ndarray) -> np.ndarray:
        """`{"agent_id": ...}` of each agent (global agent index)."""
        return self.alloc_offset + agent

    def for_types(
        self, mtype: np.ndarray, lang: np.ndarray, u: np.ndarray, text_cat: str
    ) -> np.ndarray:
        """Content codes for rows of mixed message types; TEXT rows draw from `text_cat`."""
        codes = self.pick(text_cat, lang, u)
        for code, cat in TYPE_CATEGORY.items():
            hit = mtype == code
            if hit.any():
                codes[hit] = self.pick(cat, lang[hit], u[hit])
        return codes
