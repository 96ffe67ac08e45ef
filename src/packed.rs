//! A read-only table from short strings to bytes, laid out as bytes so it can be built at
//! compile time (`build.rs`) and included in the binary: nothing to parse or allocate when
//! the program starts, and only the pages a lookup touches become resident.
//!
//! This file is compiled twice: into the library, which reads tables, and into `build.rs`,
//! which writes them; each uses its own half.
//!
//! Layout (little endian): the magic `CMPACK01`; `u32` bucket bits `b`, `u32` key count `n`;
//! `2^b + 1` `u32` bucket starts (keys of bucket `i` are `starts[i]..starts[i + 1]`); `n`
//! 16-byte keys ([`pack`]ed strings) sorted by bucket; `n + 1` `u32` value offsets; the values.

const MAGIC: &[u8; 8] = b"CMPACK01";

/// A string of at most 16 bytes as one integer key; longer strings are never listed.
#[inline]
pub fn pack(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    // Two halves by loads and shifts: a zeroed buffer and a copy into it cost a `memset` and a
    // `memcpy` call per word, more than the rest of a table lookup.
    let (low, high) = bytes.split_at(bytes.len().min(8));
    Some(u128::from(le_prefix(low)) | (u128::from(le_prefix(high)) << 64))
}

/// Up to eight bytes as a little-endian integer, zero above them. Overlapping loads from both
/// ends: a byte read twice lands in the same place both times.
#[inline]
fn le_prefix(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    let at = |i: usize| u64::from(bytes[i]) << (8 * i);
    match len {
        0 => 0,
        1..=3 => at(0) | at(len / 2) | at(len - 1),
        4..=7 => {
            let first = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            let last = u32::from_le_bytes([
                bytes[len - 4],
                bytes[len - 3],
                bytes[len - 2],
                bytes[len - 1],
            ]);
            u64::from(first) | (u64::from(last) << (8 * (len - 4)))
        }
        _ => u64::from_le_bytes([
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
        ]),
    }
}

/// A packed key folded to 64 bits, for hashing (here and in the word tables' hasher).
#[inline]
pub fn fold(key: u128) -> u64 {
    (key as u64) ^ ((key >> 64) as u64).rotate_left(29)
}

#[inline]
fn bucket(key: u128, bits: u32) -> usize {
    (fold(key).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

/// The table's bytes for `items` (keys must be distinct).
#[cfg_attr(not(test), allow(dead_code))] // only build.rs writes tables
pub fn build(mut items: Vec<(u128, Vec<u8>)>) -> Vec<u8> {
    // About one key per bucket: a miss, the common case, reads one or two keys.
    let bits = (items.len().max(2).next_power_of_two().trailing_zeros()).clamp(1, 31);
    items.sort_unstable_by_key(|(key, _)| (bucket(*key, bits), *key));
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&bits.to_le_bytes());
    out.extend_from_slice(&(items.len() as u32).to_le_bytes());
    let mut next = 0usize;
    for b in 0..=(1usize << bits) {
        while next < items.len() && bucket(items[next].0, bits) < b {
            next += 1;
        }
        out.extend_from_slice(&(next as u32).to_le_bytes());
    }
    for (key, _) in &items {
        out.extend_from_slice(&key.to_le_bytes());
    }
    let mut offset = 0u32;
    out.extend_from_slice(&offset.to_le_bytes());
    for (_, value) in &items {
        offset += value.len() as u32;
        out.extend_from_slice(&offset.to_le_bytes());
    }
    for (_, value) in &items {
        out.extend_from_slice(value);
    }
    out
}

/// A table over bytes made by [`build`].
#[cfg_attr(not(test), allow(dead_code))] // build.rs only writes
#[derive(Clone, Copy)]
pub struct Packed<'a> {
    bits: u32,
    buckets: &'a [u8],
    keys: &'a [u8],
    offsets: &'a [u8],
    values: &'a [u8],
}

#[allow(dead_code)] // build.rs only writes
impl<'a> Packed<'a> {
    /// The table in `bytes`, or `None` if they are not one.
    pub fn open(bytes: &'a [u8]) -> Option<Packed<'a>> {
        let rest = bytes.strip_prefix(MAGIC)?;
        let bits = read_u32(rest, 0)?;
        let count = read_u32(rest, 1)? as usize;
        if !(1..=31).contains(&bits) {
            return None;
        }
        let (buckets, rest) = rest
            .get(8..)?
            .split_at_checked(((1usize << bits) + 1) * 4)?;
        let (keys, rest) = rest.split_at_checked(count * 16)?;
        let (offsets, values) = rest.split_at_checked((count + 1) * 4)?;
        Some(Packed {
            bits,
            buckets,
            keys,
            offsets,
            values,
        })
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len() / 16
    }

    /// The value stored for `key`.
    #[inline]
    pub fn get(&self, key: u128) -> Option<&'a [u8]> {
        let b = bucket(key, self.bits);
        let (first, end) = (read_u32(self.buckets, b)?, read_u32(self.buckets, b + 1)?);
        // Keys compared as integers: one 16-byte load each, no call to `memcmp`.
        let index =
            (first as usize..end as usize).find(|&i| read_key(self.keys, i) == Some(key))?;
        let (start, stop) = (
            read_u32(self.offsets, index)?,
            read_u32(self.offsets, index + 1)?,
        );
        self.values.get(start as usize..stop as usize)
    }
}

#[inline]
fn read_key(keys: &[u8], index: usize) -> Option<u128> {
    let key: [u8; 16] = keys.get(index * 16..index * 16 + 16)?.try_into().ok()?;
    Some(u128::from_le_bytes(key))
}

#[inline]
fn read_u32(bytes: &[u8], index: usize) -> Option<u32> {
    let word = bytes.get(index * 4..index * 4 + 4)?;
    Some(u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_finds_its_value_and_absent_keys_find_none() {
        let words: Vec<String> = (0..5000).map(|i| format!("w{i}")).collect();
        let items = words
            .iter()
            .enumerate()
            .map(|(i, w)| (pack(w).unwrap(), vec![(i % 251) as u8; i % 4]))
            .collect();
        let bytes = build(items);
        let table = Packed::open(&bytes).expect("a table");
        assert_eq!(table.len(), 5000);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(
                table.get(pack(w).unwrap()),
                Some(&vec![(i % 251) as u8; i % 4][..])
            );
        }
        assert_eq!(table.get(pack("w5000").unwrap()), None);
        assert_eq!(table.get(pack("ørn").unwrap()), None);
    }

    #[test]
    fn an_empty_table_and_foreign_bytes() {
        let bytes = build(Vec::new());
        let table = Packed::open(&bytes).expect("an empty table");
        assert_eq!(table.get(pack("a").unwrap()), None);
        assert!(Packed::open(b"not a table").is_none());
        assert!(Packed::open(&bytes[..bytes.len() - 3]).is_none());
    }

    /// The definition `pack` computes without a buffer: the bytes, zero-padded to 16.
    fn pack_by_copy(word: &str) -> Option<u128> {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > 16 {
            return None;
        }
        let mut key = [0u8; 16];
        key[..bytes.len()].copy_from_slice(bytes);
        Some(u128::from_le_bytes(key))
    }

    #[test]
    fn pack_is_the_zero_padded_bytes_at_every_length() {
        let text = "ab\u{e9}cd\u{2019}efghijklmn\u{441}opqrstuvwxyz";
        for start in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
            for end in (start..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let word = &text[start..end];
                assert_eq!(pack(word), pack_by_copy(word), "{word:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn pack_matches_the_copy(word in "\\PC{0,18}") {
            proptest::prop_assert_eq!(pack(&word), pack_by_copy(&word));
        }
    }

    #[test]
    fn pack_takes_up_to_sixteen_bytes() {
        assert_eq!(pack(""), None);
        assert!(pack("sixteen-bytes-ok").is_some());
        assert_eq!(pack("seventeen-bytes-x"), None);
        assert_ne!(pack("ab"), pack("ba"));
    }
}
