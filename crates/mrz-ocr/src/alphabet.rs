//! The 37 symbols an MRZ is printed in.

/// Every symbol, in the order the model numbers them.
pub const SYMBOLS: &[u8; COUNT] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<";

/// How many there are.
pub const COUNT: usize = 37;

/// The filler.
pub const FILLER: usize = 36;

/// The model's number for `c`, if it is an MRZ symbol.
pub fn index(c: u8) -> Option<usize> {
    match c {
        b'0'..=b'9' => Some(usize::from(c - b'0')),
        b'A'..=b'Z' => Some(usize::from(c - b'A') + 10),
        b'<' => Some(FILLER),
        _ => None,
    }
}

/// The symbol numbered `i` (`i` < [`COUNT`]).
pub fn symbol(i: usize) -> char {
    char::from(SYMBOLS[i.min(COUNT - 1)])
}

/// Whether symbol `i` is a digit.
pub fn is_digit(i: usize) -> bool {
    i < 10
}

/// Whether symbol `i` is a letter.
pub fn is_letter(i: usize) -> bool {
    (10..36).contains(&i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_has_its_number_and_nothing_else_has_one() {
        for (i, c) in SYMBOLS.iter().enumerate() {
            assert_eq!(index(*c), Some(i));
            assert_eq!(symbol(i), char::from(*c));
        }
        assert_eq!(index(b'a'), None);
        assert_eq!(index(b' '), None);
        assert!(is_digit(9) && !is_digit(10) && is_letter(10) && is_letter(35) && !is_letter(FILLER));
    }
}
