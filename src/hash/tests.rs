//! Expected values printed by CPython 3.11 (`hash(...)` under the stated PYTHONHASHSEED).

use super::*;
use num_bigint::BigInt;

const INTS: &[(&str, i64)] = &[
    ("0", 0),
    ("1", 1),
    ("-1", -2),
    ("-2", -2),
    ("2", 2),
    ("42", 42),
    ("-42", -42),
    ("2147483648", 2147483648),
    ("4294967296", 4294967296),
    ("2305843009213693950", 2305843009213693950),
    ("2305843009213693951", 0),
    ("2305843009213693952", 1),
    ("4611686018427387904", 2),
    ("9223372036854775807", 3),
    ("-9223372036854775808", -4),
    ("-2305843009213693951", 0),
    ("-2305843009213693952", -2),
    ("-2305843009213693951", 0),
    ("18446744073709551616", 8),
    ("18446744073709551617", 9),
    ("-18446744073709551616", -8),
    ("1267650600228229401496703205376", 549755813888),
    ("-1267650600228229401496703205376", -549755813888),
    ("265613988875874769338781322035779626829233452653394495974574961739092490901302182994384699044001", 424410663027747676),
    ("-5817092933824343165432524003391691164919859649719340532627567207607656859034356995566589707894210757866827613621721127496191249", -2137843758741391727),
    ("1000000000000000000000000012345", 465258685558757051),
    ("5316911983139663491615228241121378303", 0),
    ("5316911983139663500838600277976154107", 0),
];
const FLOATS: &[(u64, i64)] = &[
    (0x0000000000000000, 0),                    // 0.0
    (0x8000000000000000, 0),                    // -0.0
    (0x3ff0000000000000, 1),                    // 1.0
    (0xbff0000000000000, -2),                   // -1.0
    (0x3fe0000000000000, 1152921504606846976),  // 0.5
    (0xbfe0000000000000, -1152921504606846976), // -0.5
    (0x3ff8000000000000, 1152921504606846977),  // 1.5
    (0x4004000000000000, 1152921504606846978),  // 2.5
    (0x3fb999999999999a, 230584300921369408),   // 0.1
    (0x01a56e1fc2f8f359, 482449582752280463),   // 1e-300
    (0x0000000000000001, 16777216),             // 5e-324
    (0x8000000000000001, -16777216),            // -5e-324
    (0x0010000000000000, 32768),                // 2.2250738585072014e-308
    (0x7e37e43c8800759c, 1224995262755759164),  // 1e+300
    (0x7fefffffffffffff, 2234066890152476671),  // 1.7976931348623157e+308
    (0xffefffffffffffff, -2234066890152476671), // -1.7976931348623157e+308
    (0x400921fb54442d18, 326490430436040707),   // 3.141592653589793
    (0x43c0000000000000, 1),                    // 2.305843009213694e+18
    (0x43c0000000000000, 1),                    // 2.305843009213694e+18
    (0x43d0000000000000, 2),                    // 4.611686018427388e+18
    (0x3c20000000000000, 1),                    // 4.336808689942018e-19
    (0x3c10000000000000, 1152921504606846976),  // 2.168404344971009e-19
    (0x4341c37937e08000, 10000000000000000),    // 1e+16
    (0x40fe240c9fbe76c9, 1819310134279660096),  // 123456.789
    (0xbfc999999999999a, -461168601842738816),  // -0.2
    (0x3fd5555555555555, 768614336404564608),   // 0.3333333333333333
    (0x7ff0000000000000, 314159),               // inf
    (0xfff0000000000000, -314159),              // -inf
];
const FROZENSETS: &[(&[i64], i64)] = &[
    (&[], 133146708735736),
    (&[1], -558064481276695278),
    (&[1, 2, 3], -272375401224217160),
    (&[-2, -2], 399283329322573),
    (
        &[
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
            24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45,
            46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67,
            68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89,
            90, 91, 92, 93, 94, 95, 96, 97, 98, 99,
        ],
        4411996150312757951,
    ),
    (&[0], -2704248722033767810),
    (&[5, 512], 4287817104392361647),
];
const STR_SEED_0: &[(&str, i64)] = &[
    ("", 0),
    ("a", 4644417185603328019),
    ("abc", -4594863902769663758),
    ("abcdefg", 7904145750247929094),
    ("abcdefgh", 4574395652268504554),
    ("abcdefghi", -532774252720507163),
    ("hello world!!", -8602798515680944651),
    ("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1359644457043326220),
    ("caf\u{e9}", 137524001917817222),
    ("\u{ff}", 3476900567878811119),
    ("\u{e9}t\u{e9} \u{e0} la plage", 2055128031937000460),
    ("\u{100}", 75343234424780393),
    ("\u{20ac}", -5529981157763016009),
    ("na\u{ef}ve \u{20ac}", 4678049083325335741),
    ("\u{65e5}\u{672c}\u{8a9e}", 7116994712188270),
    ("\u{ffff}", 2147057924765956750),
    ("\u{1f600}", -3536540696076613844),
    ("a\u{1f600}b", -7541021549821082252),
    ("\u{10ffff}", 4658154726633327932),
    ("mix \u{e9}\u{20ac}\u{1f600}", 8009234600144384350),
    ("1234567", -6684075128579576191),
    ("12345678", 3785724242978802311),
    ("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", 4128765680024799242),
    ("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", 3411457635218457572),
    ("\u{20ac}\u{20ac}\u{20ac}", -850563272605570423),
    ("\u{20ac}\u{20ac}\u{20ac}\u{20ac}", -3890046959673196273),
    ("\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}", 5627357888335991562),
    ("\u{1f600}\u{1f600}", 3533687109701847103),
    ("\u{1f600}\u{1f600}\u{1f600}", -2277969972149498111),
];
const BYTES_SEED_0: &[(&[u8], i64)] = &[
    (b"", 0),
    (b"a", 4644417185603328019),
    (b"abc", -4594863902769663758),
    (b"abcdefgh", 4574395652268504554),
    (b"\x00\xff\x80", 2289032710358597500),
    (b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !\x22#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\x5c]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff", 3579909164457460488),
];
const STR_SEED_12345: &[(&str, i64)] = &[
    ("", 0),
    ("a", -8961251314296359281),
    ("abc", 2962436275791859092),
    ("abcdefg", 6148946137545281088),
    ("abcdefgh", 1658905534166424097),
    ("abcdefghi", -6258168472765736806),
    ("hello world!!", -8711605171848284379),
    ("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 7968928312014142622),
    ("caf\u{e9}", 7941446595553291186),
    ("\u{ff}", -4893331670718958642),
    ("\u{e9}t\u{e9} \u{e0} la plage", 8529407859605662839),
    ("\u{100}", -2691837556253880572),
    ("\u{20ac}", -458755641747810198),
    ("na\u{ef}ve \u{20ac}", 3298682942785035549),
    ("\u{65e5}\u{672c}\u{8a9e}", 5519382488931253918),
    ("\u{ffff}", -9104428416288707656),
    ("\u{1f600}", 4293605015213982892),
    ("a\u{1f600}b", 1179164923064260029),
    ("\u{10ffff}", -5107747757032930140),
    ("mix \u{e9}\u{20ac}\u{1f600}", 1171714338810611280),
    ("1234567", -169896639447661599),
    ("12345678", 1552926921783775187),
    ("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", -192025148516797699),
    ("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", -5104645663664559858),
    ("\u{20ac}\u{20ac}\u{20ac}", 2968201281929700569),
    ("\u{20ac}\u{20ac}\u{20ac}\u{20ac}", 6248166323651204522),
    ("\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}", 3701679799703585776),
    ("\u{1f600}\u{1f600}", -2652142422683926284),
    ("\u{1f600}\u{1f600}\u{1f600}", -3378109199377734043),
];
const BYTES_SEED_12345: &[(&[u8], i64)] = &[
    (b"", 0),
    (b"a", -8961251314296359281),
    (b"abc", 2962436275791859092),
    (b"abcdefgh", 1658905534166424097),
    (b"\x00\xff\x80", 7792590325191873358),
    (b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !\x22#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\x5c]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff", 9170667573035945465),
];
const STR_SEED_4294967295: &[(&str, i64)] = &[
    ("", 0),
    ("a", -5989683813037840249),
    ("abc", -6122489556238538401),
    ("abcdefg", 233998310040276482),
    ("abcdefgh", 3424456984880118976),
    ("abcdefghi", 6340115119033867570),
    ("hello world!!", -4627968925028023830),
    ("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 2424569201148640282),
    ("caf\u{e9}", -8755507911872275758),
    ("\u{ff}", 7922069895195128591),
    ("\u{e9}t\u{e9} \u{e0} la plage", -7800321131300659805),
    ("\u{100}", 453928087612411842),
    ("\u{20ac}", 1723250505947338019),
    ("na\u{ef}ve \u{20ac}", 2152488907078797093),
    ("\u{65e5}\u{672c}\u{8a9e}", -6341209519133234530),
    ("\u{ffff}", 8016840146114284580),
    ("\u{1f600}", -5273353973323107289),
    ("a\u{1f600}b", 4703360681700203038),
    ("\u{10ffff}", 4437661684122220847),
    ("mix \u{e9}\u{20ac}\u{1f600}", -3267692856604175136),
    ("1234567", 3252029075405927272),
    ("12345678", -5472437280652225004),
    ("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", -562911725661503828),
    ("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", 210764485485821172),
    ("\u{20ac}\u{20ac}\u{20ac}", -7729134603489836837),
    ("\u{20ac}\u{20ac}\u{20ac}\u{20ac}", 1012668308797674755),
    ("\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}", 7335630428837662842),
    ("\u{1f600}\u{1f600}", 5163541276224382716),
    ("\u{1f600}\u{1f600}\u{1f600}", 3514272685390375052),
];
const BYTES_SEED_4294967295: &[(&[u8], i64)] = &[
    (b"", 0),
    (b"a", -5989683813037840249),
    (b"abc", -6122489556238538401),
    (b"abcdefgh", 3424456984880118976),
    (b"\x00\xff\x80", 6699650860278618132),
    (b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !\x22#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\x5c]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff", -7168183994577827003),
];

#[test]
fn ints_match_cpython() {
    for &(text, expected) in INTS {
        let n: BigInt = text.parse().unwrap();
        assert_eq!(hash_bigint(&n), expected, "hash({text})");
        if let Ok(small) = text.parse::<i64>() {
            assert_eq!(hash_i64(small), expected, "hash({text}) as i64");
        }
    }
}

#[test]
fn floats_match_cpython() {
    for &(bits, expected) in FLOATS {
        let x = f64::from_bits(bits);
        assert_eq!(hash_float(x), Some(expected), "hash({x:?})");
    }
    assert_eq!(hash_float(f64::NAN), None);
}

#[test]
fn equal_numbers_hash_equal() {
    for n in [-1_000_000i64, -3, -2, -1, 0, 1, 2, 7, 1 << 52, -(1 << 53)] {
        assert_eq!(hash_float(n as f64), Some(hash_i64(n)));
    }
    let big = BigInt::from(1u8) << 300;
    assert_eq!(hash_float(2f64.powi(300)), Some(hash_bigint(&big)));
}

#[test]
fn tuples_match_cpython() {
    let h = hash_i64;
    let t12 = tuple_hash(&[h(1), h(2)]);
    let empty = tuple_hash(&[]);
    assert_eq!(empty, 5740354900026072187);
    assert_eq!(tuple_hash(&[h(1)]), -6644214454873602895);
    assert_eq!(t12, -3550055125485641917);
    assert_eq!(tuple_hash(&[h(2), h(1)]), 6794810172467074373);
    assert_eq!(tuple_hash(&[h(1), h(2), h(3)]), 529344067295497451);
    assert_eq!(tuple_hash(&[h(-1)]), 8078679518589016365);
    assert_eq!(tuple_hash(&[h(-2)]), 8078679518589016365);
    assert_eq!(tuple_hash(&[h(0), h(0)]), -8458139203682520985);
    assert_eq!(tuple_hash(&[t12, h(3)]), -333907151259015829);
    assert_eq!(tuple_hash(&[empty, empty]), 9028247024705308198);
    let big = hash_bigint(&(BigInt::from(1u8) << 70));
    let mixed = [hash_float(1.5).unwrap(), big, h(-3)];
    assert_eq!(tuple_hash(&mixed), 5939228746546710174);
    let range: Vec<i64> = (0..50).map(h).collect();
    assert_eq!(tuple_hash(&range), 1404085563375576169);
}

#[test]
fn frozensets_match_cpython() {
    for &(items, expected) in FROZENSETS {
        assert_eq!(frozenset_hash(items), expected, "{items:?}");
        let mut reversed = items.to_vec();
        reversed.reverse();
        assert_eq!(frozenset_hash(&reversed), expected);
    }
}

fn check_strings(seed: u32, strs: &[(&str, i64)], bytes: &[(&[u8], i64)]) {
    let secret = HashSecret::from_seed(Some(seed));
    for &(s, expected) in strs {
        assert_eq!(hash_str(&secret, s), expected, "seed {seed}: hash({s:?})");
    }
    for &(b, expected) in bytes {
        assert_eq!(hash_bytes(&secret, b), expected, "seed {seed}: hash({b:?})");
    }
}

#[test]
fn strings_with_randomization_disabled() {
    assert_eq!(HashSecret::from_seed(Some(0)).keys(), (0, 0));
    check_strings(0, STR_SEED_0, BYTES_SEED_0);
}

#[test]
fn code_points_hash_like_str() {
    let secret = HashSecret::from_seed(Some(12345));
    for &(s, expected) in STR_SEED_12345 {
        assert_eq!(
            hash_code_points(&secret, s.chars().map(u32::from)),
            expected
        );
    }
    // A lone surrogate widens the storage to two bytes, like any BMP code point.
    let lone = [0x61, 0xd800];
    let bytes: Vec<u8> = lone
        .iter()
        .flat_map(|&c| (c as u16).to_le_bytes())
        .collect();
    assert_eq!(
        hash_code_points(&secret, lone.iter().copied()),
        hash_bytes(&secret, &bytes)
    );
}

#[test]
fn strings_with_lcg_seeds() {
    check_strings(12345, STR_SEED_12345, BYTES_SEED_12345);
    check_strings(4294967295, STR_SEED_4294967295, BYTES_SEED_4294967295);
}

#[test]
fn str_hash_is_the_hash_of_its_compact_storage() {
    let secret = HashSecret::from_seed(Some(99));
    let latin1: Vec<u8> = "d\u{e9}j\u{e0}".chars().map(|c| c as u8).collect();
    assert_eq!(
        hash_str(&secret, "d\u{e9}j\u{e0}"),
        hash_bytes(&secret, &latin1)
    );
    let ucs2: Vec<u8> = "a\u{20ac}"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert_eq!(hash_str(&secret, "a\u{20ac}"), hash_bytes(&secret, &ucs2));
    let ucs4: Vec<u8> = "a\u{1f600}"
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    assert_eq!(hash_str(&secret, "a\u{1f600}"), hash_bytes(&secret, &ucs4));
}

#[test]
fn random_secrets_differ() {
    assert_ne!(HashSecret::from_seed(None), HashSecret::from_seed(None));
}

#[test]
fn hash_seed_text_is_read_like_cpython() {
    assert_eq!(HashSecret::parse_seed(""), Ok(None));
    assert_eq!(HashSecret::parse_seed("random"), Ok(None));
    assert_eq!(HashSecret::parse_seed("0"), Ok(Some(0)));
    assert_eq!(HashSecret::parse_seed("-0"), Ok(Some(0)));
    assert_eq!(HashSecret::parse_seed(" +7"), Ok(Some(7)));
    assert_eq!(HashSecret::parse_seed("4294967295"), Ok(Some(u32::MAX)));
    assert_eq!(HashSecret::parse_seed("4294967296"), Err(HashSeedError));
    assert_eq!(HashSecret::parse_seed("-1"), Err(HashSeedError));
    assert_eq!(HashSecret::parse_seed("12abc"), Err(HashSeedError));
    assert_eq!(HashSecret::parse_seed("Random"), Err(HashSeedError));
    assert_eq!(
        HashSecret::parse_seed("99999999999999999999999"),
        Err(HashSeedError)
    );
}
