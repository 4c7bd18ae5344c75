//! Checks SetTable against the iteration orders CPython 3.11 prints (str keys hashed under
//! PYTHONHASHSEED=0).
//!
//! The scenario tests replay pseudo-random workloads that a Python script ran on real sets:
//! both sides draw from the same 64-bit LCG (`s = s * 6364136223846793005 +
//! 1442695040888963407 mod 2**64`, value `(s >> 33) % n`), pick operations by weight, and
//! fold the iteration order of two sets `A` and `B`, plus every popped value, into FNV-1a
//! digests at each checkpoint. Keys are 8 little-endian bytes for ints, UTF-8 plus 0xff
//! for strings; each digest ends with the length as 8 little-endian bytes.

use super::algebra::*;
use super::*;
use crate::hash::{hash_i64, hash_str, HashSecret};

fn int_set(keys: &[i64]) -> SetTable<i64> {
    let mut s = SetTable::new();
    for &k in keys {
        s.insert(hash_i64(k), k, |a, b| a == b);
    }
    s
}

fn ints(s: &SetTable<i64>) -> Vec<i64> {
    s.iter().copied().collect()
}

const SEED0: HashSecret = HashSecret::from_keys(0, 0);

fn str_set(keys: &[&str]) -> SetTable<String> {
    let mut s = SetTable::new();
    for &k in keys {
        s.insert(hash_str(&SEED0, k), k.to_string(), |a, b| a == b);
    }
    s
}

fn strs(s: &SetTable<String>) -> Vec<&str> {
    s.iter().map(String::as_str).collect()
}

/// The frozenset constant CPython's compiler makes of a constant set display of more than two
/// items: built from the items, then rebuilt from its own iteration order.
fn frozenset_constant(keys: &[i64]) -> SetTable<i64> {
    int_set(&ints(&int_set(keys)))
}

/// At run time such a display copies the constant into a new set.
fn const_display(keys: &[i64]) -> SetTable<i64> {
    frozenset_constant(keys).copy()
}

#[test]
fn displays_match_cpython() {
    assert_eq!(ints(&const_display(&[3, 1, 2])), [1, 2, 3]);
    let keys = [40, 8, 0, 16, 24, 32];
    assert_eq!(ints(&const_display(&keys)), [0, 32, 16, 8, 24, 40]);
    // `for x in {...}` iterates the constant itself.
    assert_eq!(ints(&frozenset_constant(&keys)), [0, 32, 8, 40, 16, 24]);
    // Non-constant displays add their items in order.
    assert_eq!(ints(&int_set(&keys)), [0, 32, 40, 8, 16, 24]);
    assert_eq!(ints(&int_set(&[40, 8, 5, 0])), [40, 8, 5, 0]);
    assert_eq!(ints(&const_display(&[40, 8, 0])), [40, 8, 0]);
    assert_eq!(strs(&str_set(&["b", "a"])), ["a", "b"]);
    let fruit = ["apple", "banana", "cherry", "date"];
    let fruit = str_set(&strs(&str_set(&fruit))).copy();
    assert_eq!(strs(&fruit), ["date", "banana", "cherry", "apple"]);
    let big = 1i64 << 61;
    let mixed = const_display(&[-1, -2, big, 1, 2, big + 1]);
    assert_eq!(ints(&mixed), [big, 2, big + 1, 1, -2, -1]);
}

fn chars(s: &str) -> Vec<String> {
    s.chars().map(String::from).collect()
}

#[test]
fn frozenset_hash_matches_cpython() {
    // hash(frozenset({1, 2, 3})), and after churn that leaves dummies behind.
    let mut s = int_set(&[1, 2, 3, 4, 5]);
    assert_eq!(int_set(&[1, 2, 3]).frozenset_hash(), -272375401224217160);
    for k in [4, 5] {
        s.discard(hash_i64(k), |&x| x == k);
    }
    assert_eq!(s.frozenset_hash(), -272375401224217160);
}

#[test]
fn set_of_string_matches_cpython() {
    let keys = chars("hello");
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_eq!(strs(&str_set(&keys)), ["e", "h", "l", "o"]);
    let keys = chars("hello world, \u{e9}t\u{e9} \u{20ac}\u{1f600}");
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let expected = [
        " ",
        "d",
        "\u{e9}",
        "r",
        "h",
        ",",
        "t",
        "\u{1f600}",
        "o",
        "\u{20ac}",
        "e",
        "w",
        "l",
    ];
    assert_eq!(strs(&str_set(&keys)), expected);
}

#[test]
fn insertion_reuses_the_last_dummy_passed() {
    let mut s = int_set(&[0, 8, 16, 3]);
    assert_eq!(ints(&s), [0, 8, 3, 16]);
    for k in [8, 16] {
        s.discard(hash_i64(k), |&x| x == k);
    }
    s.insert(hash_i64(24), 24, |a, b| a == b);
    assert_eq!(ints(&s), [0, 3, 24]);
}

#[test]
fn pop_follows_the_finger() {
    let mut s = int_set(&(0..10).collect::<Vec<_>>());
    let popped: Vec<i64> = (0..4).map(|_| s.pop().unwrap()).collect();
    assert_eq!(popped, [0, 1, 2, 3]);
    assert_eq!(ints(&s), [4, 5, 6, 7, 8, 9]);
    for k in [0, 1, 2] {
        s.insert(hash_i64(k), k, |a, b| a == b);
    }
    assert_eq!(s.pop(), Some(4));
    assert_eq!(ints(&s), [1, 0, 5, 6, 7, 8, 9, 2]);
    let mut empty: SetTable<i64> = SetTable::new();
    assert_eq!(empty.pop(), None);
}

#[test]
fn deletions_then_growth_and_copies() {
    let mut s = int_set(&(0..100).collect::<Vec<_>>());
    for k in (0..100).step_by(2) {
        s.discard(hash_i64(k), |&x| x == k);
    }
    for k in 200..230 {
        s.insert(hash_i64(k), k, |a, b| a == b);
    }
    let expected: Vec<i64> = (1..100).step_by(2).chain(200..230).collect();
    assert_eq!(ints(&s), expected);
    assert_eq!(ints(&s.copy()), expected);

    let mut s = int_set(&(0..20).collect::<Vec<_>>());
    for k in 0..15 {
        s.discard(hash_i64(k), |&x| x == k);
    }
    assert_eq!(ints(&s), [15, 16, 17, 18, 19]);
    assert_eq!(ints(&s.copy()), [16, 17, 18, 19, 15]);
}

#[test]
fn probe_api_restarts_after_the_table_changes() {
    // 2**61 + 16 hashes like 17: a candidate that compares unequal.
    let twin = (1i64 << 61) + 16;
    let mut s = int_set(&[twin, 17]);
    let mut probe = s.probe(hash_i64(17));
    let ProbeStep::Candidate(first) = s.probe_next(&mut probe) else {
        panic!("expected a candidate")
    };
    let stored = *s.key_at(first);
    assert_eq!(stored, twin);
    assert!(s.probe_still_valid(&probe, first, |&k| k == stored));
    // "user code" runs here and grows the table.
    for k in 100..120 {
        s.insert(hash_i64(k), k, |a, b| a == b);
    }
    assert!(!s.probe_still_valid(&probe, first, |&k| k == stored));
    let mut probe = s.probe(hash_i64(17));
    let found = loop {
        match s.probe_next(&mut probe) {
            ProbeStep::Candidate(slot) if *s.key_at(slot) == 17 => break Some(slot),
            ProbeStep::Candidate(_) => {}
            ProbeStep::Vacant => break None,
        }
    };
    assert_eq!(found.map(|slot| s.hash_at(slot)), Some(17));
    let before = s.mutations();
    let mut probe = s.probe(hash_i64(33));
    while s.probe_next(&mut probe) != ProbeStep::Vacant {}
    s.insert_vacant(&probe, 33);
    assert!(s.mutations() > before);
    assert!(s.contains(hash_i64(33), |&k| k == 33));
}

#[derive(Clone, Copy, Debug)]
enum Profile {
    Churn,
    Grow,
    Big,
    Algebra,
}

struct Scenario {
    seed: u64,
    strings: bool,
    mode: u8,
    universe: u64,
    ops: usize,
    every: usize,
    profile: Profile,
    max_list: u64,
    final_len: (usize, usize),
    digests: &'static [u64],
}

/// (seed, kind, mode, universe, ops, checkpoint every, profile, longest list),
/// final lengths of A and B, and the digest at each checkpoint.
#[rustfmt::skip]
const SCENARIOS: &[Scenario] = &[
    Scenario { seed: 1, strings: false, mode: 0, universe: 40, ops: 4000, every: 100, profile: Profile::Churn, max_list: 12, final_len: (8, 28),
        digests: &[0x00737eccaa47ea0d, 0x63530844cd46e766, 0x72c1c77a82987462, 0x5316bfa30a447e5c, 0xa79ed564ffb87850, 0x3ba9e0b0e8c395ef, 0x0692299ff9a9acdf, 0xdcab2b42267a001b, 0x4b7f0a43a6ac0eb3, 0x0cdac632b8c8f702, 0x0e83ca40a10c665c, 0xd0cb4d0fbb45fc0a, 0xcbcaef046fcbe978, 0x6c5c6e22031c01bf, 0x66ffe7246d6726ac, 0x51aa413aa18841e4, 0xae0b7da6194114f3, 0xd77f7d88eb177b83, 0xd34ff76ee77005fe, 0xf49240724206501f, 0x2ba456c094a95b47, 0x254d8325c835ae82, 0x3dc8b424a28a35ed, 0x19d9515b7bc8bf40, 0xad9ee1429fd64fb2, 0x5e19091f2aca5b30, 0x10d8d487eb580639, 0x7bdcb8d63157cb80, 0x557cd605481e4d0d, 0x3c3a023cb0c7cf52, 0x6d98c1b51629c232, 0x870ce9ee6cb5fe12, 0x72a1f3a320be39ee, 0xe440f818f42bab9c, 0x8e42175b8ade790a, 0xa1ef052f23c52d5c, 0x32a747d4c44d14ed, 0xe35f8028fa690350, 0x736c58a5d4020aa7, 0x499728cee1e74ad3] },
    Scenario { seed: 2, strings: false, mode: 1, universe: 300, ops: 4000, every: 100, profile: Profile::Churn, max_list: 20, final_len: (0, 49),
        digests: &[0x78a5385477437309, 0x81fe7b855d0a5432, 0xe6dcb07a445c9b44, 0xb52f7f719143a6ce, 0x940c3f6920a362df, 0x2c9515249b60fe2c, 0x3d9b274136466b5d, 0x40d105c706fc3b3a, 0x6362027dc1e0ad19, 0x208614c0d15aaed7, 0x38e43eeb9d1fced2, 0x4abeee68ff9a4c2b, 0xe9593b3e3e7385b5, 0x1c152741c3de537d, 0x59125242ffc80a3d, 0x3babfda607851954, 0xf7b833efb6650aa5, 0x67d34fe06229323d, 0xa3cb17c178cdd33c, 0x7dd0596f0d99f01c, 0x8d5053d18909271e, 0xc5796a6242ea0ac5, 0x39684ceae156ed44, 0x75f36c6e08be37ee, 0x2f526b9911ec7e9c, 0xc1e2c2a55573d9c6, 0x0e3f794d1fd1ec25, 0x95d92225acd29a9f, 0x25a770123d06c46b, 0x66438243edeba72b, 0x1417b20e6967ca4a, 0xceae48de1d87531d, 0x53b09d6825b54f80, 0xe16b4d02eeb4a775, 0xbb2ad5edb3e02561, 0x20a9f71c164fb1ef, 0x765bc5c62099d1ea, 0x4f6a6b14b39f4ddb, 0xc4fea47a717381e0, 0xc02ce3629598ba0b] },
    Scenario { seed: 3, strings: false, mode: 2, universe: 500, ops: 4000, every: 100, profile: Profile::Churn, max_list: 20, final_len: (3, 12),
        digests: &[0xbe3aafcd0fdb5770, 0x7a95faf19204d2fe, 0xae4c3a654d5950e1, 0x348903e500522991, 0x45f665070fc1d47e, 0x37c75680955fe0b2, 0xbe9327e03e99a642, 0xc3fb7c2ea4ee23ac, 0xf95ffdeb211a84fc, 0x201e48ef261b7fe3, 0x4ae5ff4232ade647, 0x730006ae6c2d5586, 0xc6f60ebc6e42616e, 0xf65b0cd06f616cf7, 0xcca5a10fb79bae48, 0x8ba43fd95fc95459, 0x028d410d90da7f51, 0x11fec0ea80ed5171, 0xc4d64e95ceffde89, 0x426a401453c360c5, 0x4aee008ba279dd3b, 0xf7bccf8b4bbf21c0, 0x678f7331769cf97d, 0x3c3a8661fafb5b1b, 0xb22fcb2c962b376b, 0xb4c8b3bf73a9026a, 0x91a1b123ed7e1011, 0xf18364f39c92df5a, 0x98941a27bb8b0d7f, 0x0c3d08db0e89b917, 0x1f1ace96e485da3d, 0xe3d5eeecb2efc534, 0xef232abf3defa237, 0xd58ea987398db0e0, 0x51c549d1d544d9e2, 0x485fe4d87bfe517f, 0x050fb093e2507c00, 0x896478771e0d56ed, 0xf85396c7d950b58b, 0xe923b1dab0bca5e4] },
    Scenario { seed: 4, strings: false, mode: 3, universe: 200, ops: 4000, every: 100, profile: Profile::Churn, max_list: 20, final_len: (46, 13),
        digests: &[0xe0b3890f97c0f918, 0x241bd58a2135a4e3, 0x408049ebeee4a765, 0x216ccc9afc6aadca, 0x092c64f1f3a80a9f, 0xf5723f9ccf1270f5, 0xe24fdff06c76a467, 0x3ef62fe58b205b6d, 0xe445507d317a647c, 0xb8fb0ecd81cec4f1, 0xc75516fbf15c7c3e, 0x7653ca1864b8d7a8, 0xab39302776928cd6, 0x03234926f0bb472f, 0x3fd453fb090431bf, 0xa81d45731dafc09f, 0x781397af85fa8e15, 0x031bf90099416b98, 0xf34a5275a6e1b20c, 0xf6d02ba1ec9fc180, 0x46f395be8cd7c8bf, 0x3ab1fc15c1012476, 0x23555c276667c48c, 0x216f2d0614af0a0f, 0x3520996c337585be, 0x6dee057c3bfb66aa, 0x6d47d9df54fe7112, 0x65d34761284f2ce1, 0xd76b3ec59a920ebf, 0x3dc38b306d06394b, 0x8c8ea6b9ee3699d2, 0x2034d5d5afb6ef39, 0xeaf6b7e8f64d602a, 0x5aaba4ffee29283c, 0x9c72541f2765aa84, 0x84ddfa487d84e25d, 0x67e3a24595af12e1, 0xd09cc50610ec250e, 0xa73ed709707de05e, 0xf81f44f745b75373] },
    Scenario { seed: 5, strings: false, mode: 4, universe: 100, ops: 4000, every: 100, profile: Profile::Churn, max_list: 20, final_len: (30, 29),
        digests: &[0xa4adbc8ebe3708dd, 0x2e6b2699ac593263, 0xd4cbd4ae6d1e8a0c, 0x957157f4ae32881a, 0x2a5eeae928ac3b33, 0xc2b4e8874bfd8d8a, 0x17fcf6b2b980ffd6, 0x638334d9bc17b859, 0xd96ce713d5aa2b23, 0x8b0f9a50c21c034b, 0xe931089745975148, 0xba889a37dab44a92, 0x57a6ee476dd96082, 0x4964b6bdf92b786f, 0xb838cb5b47931a1b, 0x09a3ae993466d2c0, 0x871ebc5dadc1804a, 0x862c7d1da6110dc9, 0x8e9ae0a49f8198c2, 0x8e5f96b323a58f57, 0xafeb2e2e9dcbcaed, 0x68e19fcd9b8c5e72, 0x1dc3247f0cd2625c, 0x6ca46848842dc125, 0xd05491e379f73be1, 0xe2387ea13c33cab7, 0x7de6bc97ad65dd65, 0x4b39b11c78cf13cf, 0xa216015f76fbd063, 0xe308c29b6583eaf3, 0xbc453f633ac8cac2, 0x6197456f119fc504, 0xd5c7b5cd538e6ef0, 0xd38588e64c6a7595, 0xcde2ece86b81f758, 0xbda227c7f2e9fd06, 0x11e90fc951aeb2bc, 0x32795486da366d46, 0xd5046eca54abeb4f, 0xf7872b3a5c2faca3] },
    Scenario { seed: 6, strings: false, mode: 0, universe: 5000, ops: 8000, every: 200, profile: Profile::Grow, max_list: 30, final_len: (237, 316),
        digests: &[0xe53d5d9caa43b8cd, 0x1af694748179b437, 0x2cbb5b6a169b9ee3, 0xc51a727dca4a48d8, 0x4f8550d954899080, 0x7b4dd7aeadf691b8, 0x8d239786a9b8e2f4, 0xd008428a09f74b1c, 0xf221c83eef6c9ba8, 0x4dd9365017918310, 0x263f225108ea134c, 0x9ac5e913ee4d2e22, 0xec4f326d24d0e1b5, 0x3f529cd727819579, 0x34792d93b1d61f5a, 0xb7f0dc6d43d84520, 0x9cf85816fdb1c43a, 0xf76a661e32b8af9b, 0x5f764593a69cb2d8, 0x5f7597c396de3f3f, 0x7b6e55a9af92efc1, 0x1cd0ce540d900a0f, 0x2c43095275e4ffd6, 0xa465fc365eb9660a, 0xc28a5580ef0555a6, 0x3390c5bb3062ed3d, 0xb209381fbb962f1e, 0x575862d37077efc5, 0x0155daede25aa723, 0xa64036c9ea2f27d0, 0xf43a5a5bd5d2fa8d, 0x316218df3f1fb554, 0x9455afb1853e64a5, 0xcca9ec1348983e75, 0x8b94755720c6ab0d, 0x66700b677e115cbe, 0xe9c6e923b2206f6f, 0xef10bde73ef4eeed, 0x585bd3dee5ee08f3, 0xeb190b556b92cba6] },
    Scenario { seed: 7, strings: false, mode: 1, universe: 20000, ops: 12000, every: 300, profile: Profile::Grow, max_list: 40, final_len: (506, 963),
        digests: &[0x8b585f89e8b87c2f, 0xc49f6fc06c4af4a5, 0x144696b882348e74, 0xbb87c270d6c00128, 0xb47ede0550974849, 0x353a3b58a5497cbd, 0x50a31d7f2726b2f3, 0xcad035c1772b252c, 0xab915e3377cb4f45, 0x404f8634061078f0, 0x528142c0322901ce, 0xde235373f4eb67f9, 0x6574f6c7a29584ad, 0x6527504ac8eb1254, 0x5ff8ed2b0c1671d0, 0x5e04d503d05154b2, 0xd4eb43b12981e679, 0x3f47bf220d37fc0e, 0x5bf00f033696e734, 0xf6ab2a02ed081b05, 0xad2519ab9ac4f1d2, 0xe3881bc1bf1664ce, 0x36b0a5a6a621186e, 0xa24ffa4df693f6b9, 0xa5e9394ada4ee06b, 0xc26da8c74d8ed8c1, 0xc348fc040f75c496, 0x68fd0d579b211b06, 0x07e2792a56a3f686, 0xf9facaedeca8e45a, 0x75e3afd86c69cbb7, 0xd027a0942a585ab2, 0x6168dba13c61099c, 0xb35afc5d097abf88, 0x227885bcfdc757ee, 0xbe2619e8b38699f4, 0x499e5e72b8acaabc, 0xda8442e5e67418a9, 0x224037e95688f8d3, 0xb94c16b7a06598d7] },
    Scenario { seed: 8, strings: false, mode: 3, universe: 3000, ops: 8000, every: 200, profile: Profile::Grow, max_list: 30, final_len: (89, 324),
        digests: &[0x8c4ba204365a78b6, 0x8fd70bd8e13fcc7a, 0x07117d1d412d8af0, 0x9ec78303b7362c6a, 0x07f7d2087eef248d, 0xdd7f509e15a8da0c, 0x9a5e9fa2773a0653, 0xdad93ed574d45f79, 0x47e326cf301e7cd7, 0x7b5ae3e1e6b26a12, 0x9ddfabede83a2f95, 0xa5967c72c79dce94, 0x8d570b428047546c, 0x4cf960e941729d88, 0x4293b6646f810b6b, 0x9f97029cecbf6e46, 0xd56bcfc723dd1ce2, 0x054e29036ab631f7, 0x6082106d605992d9, 0x841524a1f9c8b0e8, 0xef39c59a12e173e8, 0x5070e59bad858384, 0x050324c5f6ac0351, 0x3e02e61a7a31e65a, 0x97a4132d1d8fb540, 0x25d5d8917a7c3d2c, 0xb27f83c1ba84bca8, 0x25dd8e286a4b4f21, 0x9e3c547d5ff08a4f, 0x9001a909c3f0dc6c, 0x1b5d9baf48932a0b, 0xf8067ad2386fab42, 0xb1e58aa662bc74da, 0x3a511ae436c9a6c0, 0xe233edd0c5101b92, 0x98916d3923763553, 0x849fce33d9a5637b, 0x1961e9e4d83ac6be, 0x3407679813ef7103, 0x145c829006e8cdfe] },
    Scenario { seed: 9, strings: false, mode: 2, universe: 60, ops: 6000, every: 100, profile: Profile::Algebra, max_list: 25, final_len: (9, 22),
        digests: &[0xe308b1c95e1d23d9, 0xf050d663363e90af, 0x54a7d3060fc589ed, 0xe67d6d8d093e296c, 0xf76b988d059850dc, 0x9cba14476171dbf4, 0x1d47cad166b363a4, 0x0c45f3eb3258c6dd, 0x2fc783adb732df15, 0x632cc4c4c581ea6f, 0x6e87d939dac0d30e, 0x7e868aaa466d8c3c, 0xd0ace8b9b72ff433, 0xc007d08b56005755, 0xa78b9160d13e9b01, 0x2271eea4cbe4a818, 0xae9308accd8dcfd4, 0xe58cae828f37a88b, 0xe5dcfb7d9e9d8296, 0xb4f8ea197f160bb9, 0x57503661344a42a4, 0xd6b3cea4de0c943b, 0x0c0b75b5947184a5, 0x26aaf34e12d765d7, 0x38f09d05ce4cc985, 0x6879d66dabfb1364, 0x4a860de122a97a37, 0x083bd11b8968e2a4, 0x8001d27c150189b0, 0xfb139d43f6dfa3cd, 0x558e28330f8601c2, 0x64dfd6383c44f6ee, 0xe4b26eba6420025e, 0xdffc5cde0220221b, 0xd486bbcf41d5ac29, 0x2244f1b63a000903, 0x3e45c79e79efc930, 0xd6988239ef08b1c9, 0x27e93b788e1c1bda, 0x6763b80acb2fa1d4, 0x7712da92bdc83750, 0x450f59b102f2b48b, 0x9ca7c5ea9b2112a9, 0x29b80e48c6706c22, 0x3d297440617acc96, 0xd516adb7028c754c, 0xdb0ac50d3dd11391, 0xdaaaf70e48512d69, 0xdaaaf70e48512d69, 0xa47e0d12f9758e69, 0xf74b0b8951c0ef0a, 0x5f736d8a5dc63893, 0x1d4a0a8c25a8eb4d, 0x91a1a6cffc3b0d93, 0x3f4c6535a012ef28, 0x3cd4cb242f7d3b75, 0xb7ea7709e3ccab0c, 0x68fda5ef6096a8b7, 0x6a4079912d30027b, 0xc2ccc11481adbb5c] },
    Scenario { seed: 10, strings: false, mode: 1, universe: 400, ops: 6000, every: 100, profile: Profile::Algebra, max_list: 40, final_len: (17, 17),
        digests: &[0x347f43f62f11c5b1, 0xfcedf23148392989, 0xa59f4bf99204d3e4, 0x265e824d9f38fe02, 0x4f14ba7e9ecd9a7c, 0x9d845d9b4c8ec048, 0x8a49a6653b66de59, 0x0ed027ec65400df5, 0x5f7d1b4f95a39e54, 0xb9cbf2a3177d10ea, 0x1ecaecb526fcce1b, 0x465f3cbc539db231, 0x0f55279300a0d587, 0x95f41409f6be27b0, 0x536c936385659989, 0x8c3cc8decee0e442, 0x1a2a3d114e3ee015, 0x407d105de6339443, 0xf171974ec5abb192, 0xa13f615cd5fe95bd, 0xcf6789bfd04c5bb5, 0x5c2ce6f452f8c041, 0x91b6884a9a9e3074, 0x30a9767cabfcda95, 0x2e91f218c8b0c184, 0x00850f1e925636d5, 0x6f5241f119cb6fe8, 0x4ce9fa9eb2b6e70b, 0xe6c10eb5142c7313, 0x3f5caa1528d3d614, 0x38fe4dae97724a10, 0x95400d4f812c26e9, 0xdf0717a3fb5fa66d, 0xdb4d3f4c1de074f5, 0xe1c91fd626982cd1, 0x0216e4feea994adf, 0x7b0d18bc4221ce04, 0x2a95b0ab8dcac3a5, 0x15025aadcfcde967, 0x02313c05101f7a2b, 0xf703479b52d9734b, 0x6cd3c9a240582259, 0x9e543452c5148863, 0xe52974d1f3b79014, 0x02356a3b4fc8cf27, 0x6ec54f1e425a9a77, 0xa2f76980fde8da57, 0x53b1b3850a4dd801, 0xe12fe8a454574270, 0xed91e52a8426c8eb, 0x66a52d81f2fc9784, 0xd73f66e42d7ffef0, 0x5de25ae546193253, 0xec801da5777f23f4, 0xbf3c2d3008d69592, 0x583b100af9dcb1c8, 0xdfdb6cbd7e065036, 0xb4034e3350cb5e4e, 0x9d47d42333548938, 0x480b9e059d8ac6a1] },
    Scenario { seed: 11, strings: true, mode: 0, universe: 50, ops: 4000, every: 100, profile: Profile::Churn, max_list: 12, final_len: (3, 9),
        digests: &[0x68b61a74f73ad053, 0x564bcd553c4c8e9f, 0x19dab02ff345307b, 0x736f8283a61132bd, 0xe25ceb9d83a41982, 0xa01a4b8c771146cf, 0x81d45d2af996d8ae, 0x092577e05c9dec28, 0xa41c0fa1a7b4e9d2, 0x7e2c2cc66930f630, 0xe8eadf7074d5bfd7, 0x9a9d045b779b5946, 0x12a45d02455e2cc6, 0x88006c9c0e0c90c4, 0x542f0a0b006a80eb, 0x06e60b41417b4559, 0xc63ae29b6bd41b96, 0xd97c5c0b7ecb2ba0, 0x684db244a41bd09e, 0xeb50b63a5480e38a, 0xd5f3d4290c4b8547, 0x9a825d3b721e27e5, 0x41d369cd54e75252, 0xcc5a9c22b00311af, 0xe8891fc5a28968e6, 0xfec200c89634d439, 0x22c66cd3b88c840a, 0x8c5420f926cafa89, 0x0aeb836fdff50bd1, 0xc6bbca3fa3661917, 0xddfaa105edf48b1c, 0x5c266da3c5d52a50, 0x6fb4e13422fb731c, 0x151a1be7b1585397, 0x7bcdc624c2d00dda, 0x53dba439a9a56d69, 0xb13a8f170856e7c9, 0x009c4f8c4884c487, 0x38fb7124f639e1c3, 0x6276cce608ebbc44] },
    Scenario { seed: 12, strings: true, mode: 1, universe: 400, ops: 4000, every: 100, profile: Profile::Churn, max_list: 20, final_len: (0, 28),
        digests: &[0xaf2f2f8b4c00bc10, 0x499c4d654c87399b, 0x03132c189a51496d, 0xf510109e425abb48, 0x8912cbd0eebabd74, 0x476036d5729e6898, 0x28b9490ddd7b7142, 0x4e5f0a95d23aa12a, 0xa6f63885951724a2, 0xc2681479908c685e, 0xee967c39638659bb, 0x9531bf5cb43d484d, 0x57b81b0ab042ea4e, 0xffdd44307f6b783f, 0x8c2ad6ec12c47ce1, 0xe2374f730b682eee, 0xc9176c2b4a3d7153, 0x67b32e46540c1e1a, 0x4bff0447db646bf9, 0xc506df887f6a0018, 0xf09b9b2004dad758, 0x20e5207803168afb, 0x9204beb831f22842, 0xa6b3a966bb5e40bd, 0x92033b380826a051, 0xb9849431850ccce9, 0xe98baa0dd7f60fcc, 0xe6fcf3e884429eac, 0x65c6b3d9a7eceb51, 0xa3b7cb08ddc9f31b, 0x42ae051d2fdf0875, 0xe780f8b28f4082e1, 0x23d91006eb9f48e7, 0x148db9b1491e9115, 0xff5a1a2c6959fe55, 0x8eee7108fd83544d, 0x6fdb92b29286929c, 0x81680e0f4700bc4e, 0x723f81df9c4ed7cf, 0xc777026d526f5868] },
    Scenario { seed: 13, strings: true, mode: 1, universe: 6000, ops: 8000, every: 200, profile: Profile::Grow, max_list: 30, final_len: (1462, 1459),
        digests: &[0xb4d5042a874429bc, 0x990c9dd856d1401b, 0x9cf78396137b976b, 0x6e9236ba8cd42cda, 0xb1faa535bc4c65e6, 0x8898e88283218086, 0x94e42d7f1fd5845e, 0x16bd95cbd91d1c49, 0x7728b9e4890eeafb, 0xaad86ad742c68f60, 0x65932bef0672a573, 0x0d352d92b77a21aa, 0x7d88fa3bd2082027, 0x8bf2a39157889d76, 0x980d0ce28142dec8, 0x966d598c3f497255, 0x3b4074d1c9e287a5, 0x131e818747a3cc33, 0xe197e9674a9762b2, 0x4dc6a25f17e2258a, 0xa8f35af5c859696c, 0xe6ee63d99a5ad16a, 0x8b9c40a0f7821932, 0x6150a50076658635, 0xa2fb036d6179f603, 0x30d5a0e9d23a808b, 0xb30509fdaa1a521b, 0xf5d54d9fce4b1c10, 0xcb1d1ee3e1370e9d, 0x6e58927f6a8857e8, 0x3e17138c266f68b9, 0xe022078d8cc02c89, 0xf7032b439bf0bb1d, 0x48cf81bb16325063, 0x376a69ae6529c94f, 0x9e1bdc7714521d64, 0xd0745c79af68cbf4, 0x2ccde01555e2254e, 0x0d1309f5a34b9bbd, 0x9fe29a7496b4e791] },
    Scenario { seed: 14, strings: true, mode: 0, universe: 300, ops: 6000, every: 100, profile: Profile::Algebra, max_list: 30, final_len: (70, 21),
        digests: &[0xab1de47f45e969d5, 0x9cd3b8992819a737, 0x69f25929e441d3bb, 0x6594306f0d65b228, 0x930c4656f9eddf64, 0x4625f091eca46e9c, 0xa8d24b85c517bf3a, 0x13822a6a1fafdc78, 0xf8c5b4aa6a5e5691, 0x15e12dfe516497fe, 0x38d41d86c7cb909a, 0x8255fbd7b8e9dcbd, 0x2a3d6a3bfdd5aae9, 0x293b757a232ea6f6, 0x84392d9141cf865c, 0x0ec151f1ed240132, 0xbb6a4b8beecb2fb5, 0x72e9e96112ee1628, 0x72b48de2a047865f, 0x8250e301affdb1ff, 0x637cc12efb0e78f3, 0x0926ebbadb371e5b, 0x25b85d6431df093c, 0x1a39fa4f506f6096, 0x8e9ec2a7943208f0, 0x63ebefd3007d41e3, 0xb054cdba55df815d, 0x6e2233b7c355c97d, 0x00afbf87b1f89379, 0x4e3ff36e1981129f, 0x22a3e7a1ea1165b9, 0x0c8b125bf40c6fa9, 0x85fa93ec1cc7ae63, 0x4b6c4c38a552b4c8, 0xde12671065c3018b, 0xaba288336438d85a, 0xe6e3bdbe487beba3, 0x8bb8c06cb102aa61, 0x1ce99be03d5ddc6b, 0x5492912895478e80, 0xcc8d4d6770aa23b7, 0xbf8b9d821a638739, 0xa217efb4f4f89d8e, 0xf55be55d48262c05, 0x5e03434e9ff37377, 0x6639df5a7a4079f5, 0xb1cefb92258a854d, 0x0e8a5d5a82faafd4, 0xfed30c0cc8234c33, 0x0af9a3aef2a3a6e8, 0xed8d9dfe7f6d5744, 0x987247976e9c525d, 0x5346562c9c667c1e, 0x7d189c90b1d37598, 0x24d980d9f10318e3, 0x094e5292d6a372eb, 0xd023d4f2fe4943ef, 0x1127af0ffc0330c0, 0xb9e2f7c38d262885, 0x547510fd5fba1f0a] },
    Scenario { seed: 15, strings: false, mode: 0, universe: 120000, ops: 70000, every: 5000, profile: Profile::Grow, max_list: 50, final_len: (2366, 2683),
        digests: &[0xa6146481f7056e7b, 0xadb00b733f7fd669, 0x606311ba8682fac5, 0x8750da86be6f6cc4, 0xb3f7983136de3e75, 0x2db041c0d34fd735, 0x78fa4371a3f05fbc, 0xeae1d3d4cb5a1389, 0xc6191443b902bf2b, 0x06e3a8cea0af8a61, 0xc3972fa557ceb104, 0x9197db84a38a47aa, 0x8e2caf2fc8003ae9, 0xd149fb3165eb2ca7] },
    Scenario { seed: 16, strings: false, mode: 0, universe: 200000, ops: 150000, every: 30000, profile: Profile::Big, max_list: 10, final_len: (70840, 7525),
        digests: &[0xc676b84391177337, 0xaedf0b08a469ab3d, 0x2ac3c08b0aba928d, 0x40aa24589bd9a6b5, 0x870448ff5ed15323] },
    Scenario { seed: 17, strings: true, mode: 1, universe: 20000, ops: 30000, every: 3000, profile: Profile::Big, max_list: 10, final_len: (10707, 1426),
        digests: &[0xb59045d2e64a6139, 0x127627600e666f8b, 0xa929e35f59cfd1db, 0xd40b8f890d6aa11a, 0xc4909e6809b7fc01, 0xec5c8526cb7f3e16, 0x7aa1c9087b7c5407, 0xe13e5ee6dccf08dd, 0xa75f16142c6463fc, 0x3d4f5d8abfe47d24] },
    Scenario { seed: 18, strings: false, mode: 2, universe: 10000, ops: 20000, every: 2000, profile: Profile::Big, max_list: 10, final_len: (6061, 954),
        digests: &[0xaca13dacfba41816, 0xab1d3d3153911143, 0x33f1880ee8d5ff7e, 0xf0feecde07389c98, 0xc27b96ff32c558ec, 0xa4a4a0fe3ed40c99, 0x7056f480e95aee89, 0x223f17d0864fa1bc, 0x03a1f83391090223, 0x2f9ee77aba610572] },
    Scenario { seed: 19, strings: false, mode: 3, universe: 4000, ops: 20000, every: 2000, profile: Profile::Big, max_list: 10, final_len: (2849, 923),
        digests: &[0x41d9718569fb1fc9, 0x39a7ca4dafc23fa6, 0xb737be68f0ae0bda, 0x2e353db4fe6d99a2, 0xb43f813a9ec0531e, 0x39eb72ad91f42d5a, 0x082bae239f974d56, 0x84de5d9f3ca70e1b, 0x3d72454560c2ddc3, 0xf0eb7d959491ee1b] },
    Scenario { seed: 20, strings: false, mode: 0, universe: 100000, ops: 400000, every: 100000, profile: Profile::Big, max_list: 10, final_len: (70138, 18145),
        digests: &[0x55c78b8179d0e997, 0x46cf9be18e1e2886, 0x5360b2eb0cff88a1, 0x90ab5474680a9587] },
];

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const FNV0: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv(mut h: u64, data: &[u8]) -> u64 {
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

trait TestKey: Clone + Eq + std::fmt::Debug {
    fn make(mode: u8, v: u64) -> Self;
    fn hash(&self) -> i64;
    fn fold(&self, h: u64) -> u64;
}

impl TestKey for i64 {
    fn make(mode: u8, v: u64) -> Self {
        let v = v as i64;
        match mode {
            0 => v - 16,
            1 => v * 8,
            2 => (v << 40) ^ v,
            3 if v % 2 == 1 => v,
            3 => v + (1 << 61),
            4 => -v * 1024 - 1,
            _ => unreachable!(),
        }
    }
    fn hash(&self) -> i64 {
        hash_i64(*self)
    }
    fn fold(&self, h: u64) -> u64 {
        fnv(h, &self.to_le_bytes())
    }
}

impl TestKey for String {
    fn make(mode: u8, v: u64) -> Self {
        const PREFIX: [&str; 4] = ["k", "\u{e9}", "\u{20ac}", "\u{1f600}"];
        let prefix = if mode == 1 {
            PREFIX[(v % 4) as usize]
        } else {
            "k"
        };
        format!("{prefix}{v}")
    }
    fn hash(&self) -> i64 {
        hash_str(&SEED0, self)
    }
    fn fold(&self, h: u64) -> u64 {
        fnv(fnv(h, self.as_bytes()), &[0xff])
    }
}

fn digest<K: TestKey>(s: &SetTable<K>, h: u64) -> u64 {
    let h = s.iter().fold(h, |h, k| k.fold(h));
    fnv(h, &(s.len() as u64).to_le_bytes())
}

fn eq<K: PartialEq>(a: &K, b: &K) -> bool {
    a == b
}

/// Operation names and weights, in the order the generator lists them.
fn weights(profile: Profile) -> Vec<(&'static str, u64)> {
    const ALL: [&str; 33] = [
        "addA",
        "discA",
        "popA",
        "addB",
        "discB",
        "popB",
        "or",
        "and",
        "sub",
        "rsub",
        "xor",
        "ior",
        "iand",
        "isub",
        "ixor",
        "AfromB",
        "BfromA",
        "clearA",
        "clearB",
        "updlist",
        "diffupdlist",
        "sdulist",
        "fromdict",
        "interlist",
        "difflist",
        "diffdict",
        "xordict",
        "sdudict",
        "upddict",
        "Bfromlist",
        "unionlist",
        "iandlist",
        "growB",
    ];
    let mut w: Vec<(&str, u64)> = match profile {
        Profile::Churn => vec![
            ("addA", 40),
            ("discA", 25),
            ("popA", 6),
            ("addB", 20),
            ("discB", 6),
            ("popB", 2),
        ],
        Profile::Grow => vec![
            ("addA", 60),
            ("discA", 12),
            ("popA", 3),
            ("addB", 30),
            ("discB", 4),
            ("growB", 2),
            ("ior", 1),
            ("isub", 1),
            ("ixor", 1),
            ("BfromA", 1),
            ("difflist", 1),
            ("diffupdlist", 1),
        ],
        Profile::Big => vec![("addA", 70), ("discA", 20), ("popA", 5), ("addB", 5)],
        Profile::Algebra => vec![
            ("addA", 10),
            ("discA", 3),
            ("popA", 1),
            ("addB", 10),
            ("discB", 3),
            ("updlist", 3),
            ("growB", 2),
        ],
    };
    match profile {
        Profile::Churn => w.extend(ALL[6..].iter().map(|&o| (o, 1))),
        Profile::Algebra => {
            w.extend(ALL[6..19].iter().map(|&o| (o, 3)));
            w.extend(ALL[20..32].iter().map(|&o| (o, 2)));
        }
        Profile::Grow | Profile::Big => {}
    }
    w
}

/// `dict.fromkeys(items)`: first occurrences, in order.
fn dict_keys<K: TestKey>(items: Vec<(i64, K)>) -> Vec<(i64, K)> {
    let mut out: Vec<(i64, K)> = Vec::new();
    for (h, k) in items {
        if !out.iter().any(|(_, x)| *x == k) {
            out.push((h, k));
        }
    }
    out
}

/// `a.difference(d)` for a dict `d`: CPython's size test picks copy-and-discard (walking the
/// dict as an iterable) or a walk of `a` keeping keys the dict lacks.
fn difference_dict<K: TestKey>(a: &SetTable<K>, d: Vec<(i64, K)>) -> SetTable<K> {
    if (a.len() >> 2) > d.len() {
        let mut result = a.copy();
        difference_update_items(&mut result, d, eq);
        return result;
    }
    let mut result = SetTable::new();
    for (h, k) in a.entries() {
        if !d.iter().any(|(_, x)| x == k) {
            result.insert(h, k.clone(), eq);
        }
    }
    result
}

struct Replay<K> {
    r: Lcg,
    a: SetTable<K>,
    b: SetTable<K>,
    pops: u64,
    mode: u8,
    universe: u64,
    max_list: u64,
}

impl<K: TestKey> Replay<K> {
    fn key(&mut self) -> (i64, K) {
        let k = K::make(self.mode, self.r.below(self.universe));
        (k.hash(), k)
    }

    fn list(&mut self) -> Vec<(i64, K)> {
        let n = self.r.below(self.max_list);
        (0..n).map(|_| self.key()).collect()
    }

    fn pop_a(&mut self) {
        if let Some(k) = self.a.pop() {
            self.pops = k.fold(self.pops);
        }
    }

    fn pop_b(&mut self) {
        if let Some(k) = self.b.pop() {
            self.pops = k.fold(self.pops);
        }
    }

    fn element_op(&mut self, op: &str) -> bool {
        match op {
            "addA" => {
                let (h, k) = self.key();
                self.a.insert(h, k, eq);
            }
            "discA" => {
                let (h, k) = self.key();
                self.a.discard(h, |x| *x == k);
            }
            "addB" => {
                let (h, k) = self.key();
                self.b.insert(h, k, eq);
            }
            "discB" => {
                let (h, k) = self.key();
                self.b.discard(h, |x| *x == k);
            }
            "popA" => self.pop_a(),
            "popB" => self.pop_b(),
            "clearA" => self.a.clear(),
            "clearB" => self.b.clear(),
            "growB" => {
                for _ in 0..self.r.below(self.max_list) * 10 {
                    let (h, k) = self.key();
                    self.b.insert(h, k, eq);
                }
            }
            _ => return false,
        }
        true
    }

    fn set_op(&mut self, op: &str) -> bool {
        let (a, b) = (&mut self.a, &self.b);
        match op {
            "or" => *a = union(a, b, eq),
            "and" => *a = intersection(a, b, eq),
            "sub" => *a = difference(a, b, eq),
            "rsub" => *a = difference(b, a, eq),
            "xor" => *a = symmetric_difference(a, b, eq),
            "ior" => a.merge(b, eq),
            "iand" => intersection_update(a, b, eq),
            "isub" => difference_update(a, b, eq),
            "ixor" => symmetric_difference_update(a, b, eq),
            "AfromB" => *a = b.copy(),
            "BfromA" => self.b = a.copy(),
            _ => return false,
        }
        true
    }

    fn list_op(&mut self, op: &str) {
        let items = self.list();
        let a = &mut self.a;
        match op {
            "updlist" => update_from_items(a, items, eq),
            "diffupdlist" => difference_update_items(a, items, eq),
            "sdulist" => {
                let mut other = SetTable::new();
                update_from_items(&mut other, items, eq);
                symmetric_difference_update(a, &other, eq);
            }
            "fromdict" => {
                *a = SetTable::new();
                update_from_dict(a, dict_keys(items), eq);
            }
            "interlist" => *a = intersection_items(a, items, eq),
            "difflist" => {
                let mut result = a.copy();
                difference_update_items(&mut result, items, eq);
                *a = result;
            }
            "diffdict" => *a = difference_dict(a, dict_keys(items)),
            "xordict" => {
                let mut result = SetTable::new();
                update_from_dict(&mut result, dict_keys(items), eq);
                symmetric_difference_update(&mut result, a, eq);
                *a = result;
            }
            "sdudict" => symmetric_difference_update_items(a, dict_keys(items), eq),
            "upddict" => update_from_dict(a, dict_keys(items), eq),
            "Bfromlist" => {
                self.b = SetTable::new();
                update_from_items(&mut self.b, items, eq);
            }
            "unionlist" => {
                let mut result = a.copy();
                update_from_items(&mut result, items, eq);
                *a = result;
            }
            "iandlist" => {
                let mut result = intersection_items(a, items, eq);
                a.swap_bodies(&mut result);
            }
            _ => panic!("unknown operation {op}"),
        }
    }
}

fn replay<K: TestKey>(sc: &Scenario) {
    let w = weights(sc.profile);
    let total: u64 = w.iter().map(|&(_, n)| n).sum();
    let mut rp: Replay<K> = Replay {
        r: Lcg(sc.seed),
        a: SetTable::new(),
        b: SetTable::new(),
        pops: FNV0,
        mode: sc.mode,
        universe: sc.universe,
        max_list: sc.max_list,
    };
    let mut checkpoint = 0;
    for step in 0..sc.ops {
        let mut x = rp.r.below(total);
        let op = w
            .iter()
            .find(|&&(_, n)| {
                let hit = x < n;
                x = x.saturating_sub(n);
                hit
            })
            .unwrap()
            .0;
        if !rp.element_op(op) && !rp.set_op(op) {
            rp.list_op(op);
        }
        if step % sc.every == sc.every - 1 {
            let got = digest(&rp.b, digest(&rp.a, rp.pops));
            assert_eq!(
                got, sc.digests[checkpoint],
                "scenario {} checkpoint {checkpoint} (after op {step}, {op})",
                sc.seed
            );
            checkpoint += 1;
        }
    }
    assert_eq!(checkpoint, sc.digests.len());
    assert_eq!(
        (rp.a.len(), rp.b.len()),
        sc.final_len,
        "scenario {}",
        sc.seed
    );
}

#[test]
fn workloads_match_cpython() {
    for sc in SCENARIOS {
        if sc.strings {
            replay::<String>(sc);
        } else {
            replay::<i64>(sc);
        }
    }
}
