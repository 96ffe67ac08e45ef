//! Bytes to text: UTF-8 (BOM stripped), UTF-16 with a BOM, or a detected legacy encoding
//! (Windows-1252/Latin-1 are common in scraped Portuguese and Spanish pages). Binary input is
//! refused with a reason rather than decoded into garbage.

use std::borrow::Cow;

/// Decoded text and the encoding it was read as.
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The text, borrowed when the input was already clean UTF-8.
    pub text: Cow<'a, str>,
    /// The encoding's name as written to `documents.encoding` (`utf-8`, `windows-1252`, …).
    /// `utf-8-lossy` marks UTF-8 with a few invalid bytes replaced by U+FFFD.
    pub encoding: &'static str,
}

/// Why bytes could not be decoded as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotText {
    /// No bytes at all.
    Empty,
    /// NUL bytes or a high share of control bytes: not a text file.
    Binary,
}

impl NotText {
    /// The reason written to `documents.skip_reason` and the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            NotText::Empty => "empty",
            NotText::Binary => "binary",
        }
    }
}

/// Share of control bytes (other than tab, newline, carriage return, form feed) above which
/// input is judged binary even without NUL bytes.
const MAX_CONTROL_SHARE: f64 = 0.05;

/// Share of NUL bytes above which input without a UTF-16 pattern is judged binary; below it
/// the NULs are dropped and the text kept.
const MAX_NUL_SHARE: f64 = 0.05;

/// UTF-16 without a BOM, told by its NUL pattern: text in Latin scripts has a zero high byte
/// in most code units and a zero low byte in almost none.
fn decode_utf16_unmarked(bytes: &[u8]) -> Option<Decoded<'static>> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes.len() / 2;
    let even_zeros = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_zeros = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let (encoding, name) = match (even_zeros, odd_zeros) {
        (even, odd) if odd * 10 >= units * 4 && even * 20 <= units => {
            (encoding_rs::UTF_16LE, "utf-16le")
        }
        (even, odd) if even * 10 >= units * 4 && odd * 20 <= units => {
            (encoding_rs::UTF_16BE, "utf-16be")
        }
        _ => return None,
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors || text.contains('\0') || control_share(text.as_bytes()) > MAX_CONTROL_SHARE {
        return None;
    }
    Some(Decoded {
        text: Cow::Owned(text.into_owned()),
        encoding: name,
    })
}

/// Decodes `bytes` into text, detecting the encoding.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, NotText> {
    if bytes.is_empty() {
        return Err(NotText::Empty);
    }
    // A UTF-16 BOM must be looked at before the NUL check: UTF-16 text is full of NUL bytes.
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if encoding == encoding_rs::UTF_8 {
            return decode_unmarked(body);
        }
        let (text, had_errors) = encoding.decode_without_bom_handling(body);
        if text.contains('\0') {
            return Err(NotText::Binary);
        }
        let name = match (encoding == encoding_rs::UTF_16LE, had_errors) {
            (true, false) => "utf-16le",
            (true, true) => "utf-16le-lossy",
            (false, false) => "utf-16be",
            (false, true) => "utf-16be-lossy",
        };
        return Ok(Decoded {
            text: Cow::Owned(text.into_owned()),
            encoding: name,
        });
    }
    decode_unmarked(bytes)
}

fn decode_unmarked(bytes: &[u8]) -> Result<Decoded<'_>, NotText> {
    if bytes.is_empty() {
        return Err(NotText::Empty);
    }
    let nuls = memchr::memchr_iter(0, bytes).count();
    if nuls > 0 {
        if let Some(decoded) = decode_utf16_unmarked(bytes) {
            return Ok(decoded);
        }
        if nuls as f64 > MAX_NUL_SHARE * bytes.len() as f64 {
            return Err(NotText::Binary);
        }
        // Stray NULs in a text page (padding, a spliced dump) are dropped rather than costing
        // the whole document; the encoding is marked lossy.
        let cleaned: Vec<u8> = bytes.iter().copied().filter(|&b| b != 0).collect();
        let decoded = decode_unmarked(&cleaned)?;
        return Ok(Decoded {
            text: Cow::Owned(decoded.text.into_owned()),
            encoding: match decoded.encoding {
                "utf-8" | "utf-8-lossy" => "utf-8-lossy",
                other => other,
            },
        });
    }
    if control_share(bytes) > MAX_CONTROL_SHARE {
        return Err(NotText::Binary);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: Cow::Borrowed(text),
            encoding: "utf-8",
        });
    }
    if mostly_utf8(bytes) {
        return Ok(Decoded {
            text: Cow::Owned(String::from_utf8_lossy(bytes).into_owned()),
            encoding: "utf-8-lossy",
        });
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
    let (text, _, _) = encoding.decode(bytes);
    Ok(Decoded {
        text: Cow::Owned(text.into_owned()),
        encoding: encoding_name(encoding),
    })
}

/// Lower-case WHATWG names, stable for the output column.
fn encoding_name(encoding: &'static encoding_rs::Encoding) -> &'static str {
    match encoding.name() {
        "windows-1252" => "windows-1252",
        "ISO-8859-2" => "iso-8859-2",
        "ISO-8859-5" => "iso-8859-5",
        "ISO-8859-7" => "iso-8859-7",
        "windows-1250" => "windows-1250",
        "windows-1251" => "windows-1251",
        "KOI8-R" => "koi8-r",
        "Shift_JIS" => "shift_jis",
        "EUC-JP" => "euc-jp",
        "EUC-KR" => "euc-kr",
        "GBK" => "gbk",
        "gb18030" => "gb18030",
        "Big5" => "big5",
        other => other,
    }
}

/// The share of `bytes` that are control characters other than tab, line feed, form feed and
/// carriage return.
fn control_share(bytes: &[u8]) -> f64 {
    // Counted per block of 255 bytes in a `u8`, which cannot overflow there, so the loop
    // compiles to byte-lane vector compares: every page's bytes pass here in both passes.
    let controls: usize = bytes
        .chunks(255)
        .map(|block| {
            let stray = block
                .iter()
                .fold(0u8, |n, &b| n + is_stray_control(b) as u8);
            stray as usize
        })
        .sum();
    controls as f64 / bytes.len() as f64
}

/// A control character that text does not hold: any below U+0020 but tab, line feed, form
/// feed and carriage return.
const fn is_stray_control(b: u8) -> bool {
    b < 0x20 && b != b'\t' && b != b'\n' && b != 0x0c && b != b'\r'
}

/// True when the input is UTF-8 with a few corrupt bytes (a truncated or spliced page) rather
/// than text in a legacy single-byte encoding: valid multi-byte sequences are at least as many
/// as the corrupt stretches (adjacent bad bytes count once: one splice, one stretch). Legacy
/// text has almost no valid multi-byte sequences, since its accented letters stand alone.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut valid_multibyte = 0usize;
    let mut invalid = 0usize;
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                valid_multibyte += count_multibyte(valid);
                break;
            }
            Err(error) => {
                let (good, after) = rest.split_at(error.valid_up_to());
                valid_multibyte += count_multibyte_bytes(good);
                if !good.is_empty() || invalid == 0 {
                    invalid += 1;
                }
                let skip = error.error_len().unwrap_or(after.len()).max(1);
                rest = &after[skip.min(after.len())..];
                if rest.is_empty() {
                    break;
                }
            }
        }
    }
    valid_multibyte > 0 && valid_multibyte >= invalid
}

fn count_multibyte(text: &str) -> usize {
    count_multibyte_bytes(text.as_bytes())
}

/// Counts the lead bytes of multi-byte sequences in bytes known to be valid UTF-8.
fn count_multibyte_bytes(valid: &[u8]) -> usize {
    valid.iter().filter(|&&b| b >= 0xC0).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTUGUESE: &str = "Em 2 de fevereiro de 1943, após cinco meses de resistência popular, \
                              o povo soviético e os soldados do Exército Vermelho derrotaram o nazismo.";

    #[test]
    fn utf8_is_borrowed_and_bom_is_stripped() {
        let decoded = decode(PORTUGUESE.as_bytes()).unwrap();
        assert_eq!(decoded.encoding, "utf-8");
        assert!(matches!(decoded.text, Cow::Borrowed(_)));
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice(PORTUGUESE.as_bytes());
        let decoded = decode(&with_bom).unwrap();
        assert_eq!(decoded.text, PORTUGUESE);
    }

    #[test]
    fn windows_1252_portuguese_is_detected() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(PORTUGUESE);
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, "windows-1252");
        assert_eq!(decoded.text, PORTUGUESE);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in PORTUGUESE.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, "utf-16le");
        assert_eq!(decoded.text, PORTUGUESE);
    }

    #[test]
    fn invalid_byte_inside_utf8_page_keeps_the_rest() {
        let mut bytes = PORTUGUESE.as_bytes().to_vec();
        bytes.insert(20, 0xFF);
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, "utf-8-lossy");
        assert!(decoded.text.contains("Exército Vermelho"));
        assert!(decoded.text.contains('\u{FFFD}'));
    }

    #[test]
    fn stray_nul_bytes_are_dropped_and_the_page_kept() {
        let mut bytes = PORTUGUESE.as_bytes().to_vec();
        bytes.insert(30, 0);
        bytes.push(0);
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.text, PORTUGUESE);
        assert_eq!(decoded.encoding, "utf-8-lossy");
        let mut latin1 = encoding_rs::WINDOWS_1252.encode(PORTUGUESE).0.into_owned();
        latin1.insert(10, 0);
        assert_eq!(decode(&latin1).unwrap().text, PORTUGUESE);
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_nul_pattern() {
        let le: Vec<u8> = PORTUGUESE
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let decoded = decode(&le).unwrap();
        assert_eq!(
            (decoded.text.as_ref(), decoded.encoding),
            (PORTUGUESE, "utf-16le")
        );
        let be: Vec<u8> = PORTUGUESE
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        let decoded = decode(&be).unwrap();
        assert_eq!(
            (decoded.text.as_ref(), decoded.encoding),
            (PORTUGUESE, "utf-16be")
        );
    }

    #[test]
    fn latin1_portuguese_decodes_as_windows_1252() {
        // Latin-1 is Windows-1252 minus the C1 range; WHATWG decodes both as windows-1252.
        let latin1: Vec<u8> = PORTUGUESE.chars().map(|c| c as u32 as u8).collect();
        let decoded = decode(&latin1).unwrap();
        assert_eq!(decoded.text, PORTUGUESE);
        assert_eq!(decoded.encoding, "windows-1252");
    }

    #[test]
    fn a_mostly_ascii_utf8_page_with_one_bad_stretch_stays_utf8() {
        let mut bytes =
            b"The river crosses the city from north to south and fed the troops. ".to_vec();
        bytes.extend_from_slice(b"\xff\xfe\xc3");
        bytes.extend_from_slice("Muitos soldados não regressaram a casa.".as_bytes());
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, "utf-8-lossy");
        assert!(decoded.text.contains("não regressaram"));
    }

    #[test]
    fn binary_and_empty_are_refused() {
        let mut mostly_nul = b"some text".to_vec();
        mostly_nul.extend([0u8, 1, 2, 0, 0, 3, 0, 0xff, 0, 0, 7, 0]);
        assert_eq!(decode(&mostly_nul), Err(NotText::Binary));
        assert_eq!(decode(b""), Err(NotText::Empty));
        assert_eq!(decode(b"\x7fELF\x02\x01\x01\0\0\0"), Err(NotText::Binary));
        assert_eq!(decode(b"\xEF\xBB\xBF"), Err(NotText::Empty));
    }

    /// [`control_share`] a byte at a time: the definition the block counts must agree with.
    fn control_share_by_byte(bytes: &[u8]) -> f64 {
        let controls = bytes
            .iter()
            .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
            .count();
        controls as f64 / bytes.len() as f64
    }

    #[test]
    fn control_share_counts_every_block_and_only_stray_controls() {
        // Every byte value, and pages of all controls, each longer than one block of 255.
        let every_byte: Vec<u8> = (0..=255).cycle().take(1000).collect();
        assert_eq!(
            control_share(&every_byte),
            control_share_by_byte(&every_byte)
        );
        assert_eq!(control_share(&[0x01; 600]), 1.0);
        assert_eq!(control_share(b"\t\n\r\x0c".repeat(200).as_slice()), 0.0);
        let page = format!("{PORTUGUESE}\x07\n").repeat(9);
        assert_eq!(control_share(page.as_bytes()), 9.0 / page.len() as f64);
    }

    proptest::proptest! {
        #[test]
        fn control_share_agrees_with_a_byte_loop(bytes in proptest::collection::vec(0u8..0x30, 1..2000)) {
            proptest::prop_assert_eq!(control_share(&bytes), control_share_by_byte(&bytes));
        }
    }
}
