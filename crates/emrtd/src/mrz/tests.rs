use super::*;

const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
const TD2: &str = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
const TD1_LONG: &str = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<";
const TD2_LONG: &str = "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<\nD23145890<UTO3407127M95071227349<<<8";
const MRV_A: &str = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<";

#[test]
fn check_digits_from_the_standard() {
    for (text, digit) in [("L898902C3", 6), ("740812", 2), ("120415", 9), ("D23145890", 7), ("<<<<<<<<<<<<<<", 0)] {
        assert_eq!(check_digit(text), Some(digit), "{text}");
    }
    assert_eq!(check_digit("abc"), None);
}

#[test]
fn every_specimen_parses() {
    let td3 = Mrz::parse(TD3).unwrap();
    assert_eq!(td3.format, Format::Td3);
    assert_eq!(td3.document_number, "L898902C3");
    assert_eq!((td3.birth_date.as_str(), td3.expiry_date.as_str(), td3.sex), ("740812", "120415", 'F'));
    assert_eq!((td3.primary_name.as_str(), td3.secondary_names.as_str()), ("ERIKSSON", "ANNA MARIA"));
    assert_eq!(td3.optional_data, "ZE184226B");
    assert_eq!(td3.nationality, "UTO");

    let td1 = Mrz::parse(TD1).unwrap();
    assert_eq!((td1.format, td1.document_number.as_str()), (Format::Td1, "D23145890"));
    assert_eq!(td1.secondary_names, "ANNA MARIA");

    let td2 = Mrz::parse(TD2).unwrap();
    assert_eq!((td2.format, td2.document_number.as_str()), (Format::Td2, "D23145890"));

    let mrv = Mrz::parse(MRV_A).unwrap();
    assert_eq!((mrv.format, mrv.document_number.as_str()), (Format::MrvA, "L8988901C"));
}

#[test]
fn long_document_numbers_continue_in_the_optional_data() {
    for text in [TD1_LONG, TD2_LONG] {
        let mrz = Mrz::parse(text).unwrap();
        assert_eq!(mrz.document_number, "D23145890734", "{:?}", mrz.format);
        assert_eq!((mrz.primary_name.as_str(), mrz.secondary_names.as_str()), ("STEVENSON", "PETER JOHN"));
        // RULES.md §3, vector B.
        assert_eq!(mrz.access_key().mrz_information(), "D23145890734934071279507122");
    }
}

#[test]
fn the_bac_information_of_the_standard() {
    // Vector A: a number shorter than nine characters is padded with '<'.
    let key = AccessKey::new("L898902C", "690806", "940623").unwrap();
    assert_eq!(key.mrz_information(), "L898902C<369080619406236");
    assert!(format!("{key:?}").find("L898").is_none(), "Debug hides it");
}

#[test]
fn wrong_check_digits_are_named() {
    // Part 11 App. D.2 prints a composite of 8; it should be 2.
    let trap = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL898902C<3UTO6908061F9406236<<<<<<<8";
    assert_eq!(Mrz::parse(trap), Err(MrzError::CheckDigits(vec![Field::Composite])));
    let fixed = trap.replace("<<<<<<<8", "<<<<<<<2");
    assert_eq!(Mrz::parse(&fixed).unwrap().document_number, "L898902C");
    let typo = TD3.replace("7408122F", "7408123F");
    assert_eq!(Mrz::parse(&typo), Err(MrzError::CheckDigits(vec![Field::BirthDate, Field::Composite])));
    let number = TD3.replace("L898902C36", "L898902C46");
    assert!(matches!(Mrz::parse(&number), Err(MrzError::CheckDigits(f)) if f.contains(&Field::DocumentNumber)));
}

#[test]
fn what_swipe_readers_and_people_type_is_accepted() {
    let lower = TD3.to_lowercase();
    assert_eq!(Mrz::parse(&lower).unwrap().document_number, "L898902C3");
    let one_run = TD3.replace('\n', "");
    assert_eq!(Mrz::parse(&one_run).unwrap().format, Format::Td3);
    let crlf = format!("  {}\r\n", TD1.replace('\n', "\r\n"));
    assert_eq!(Mrz::parse(&crlf).unwrap().format, Format::Td1);
}

#[test]
fn bad_input_says_where() {
    assert_eq!(
        Mrz::parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1"),
        Err(MrzError::Shape { found: "2 line(s) of 44, 43".into() })
    );
    assert!(matches!(
        Mrz::parse(&TD3.replace("ANNA", "ÅNNA")),
        Err(MrzError::Character { line: 1, position: 16, character: 'Å' })
    ));
    assert!(matches!(Mrz::parse(&TD3.replacen("P<", "X<", 1)), Err(MrzError::DocumentCode(_))));
    assert!(matches!(AccessKey::new("L898-902", "690806", "940623"), Err(AccessKeyError::DocumentNumber)));
    assert!(matches!(AccessKey::new("L898902C", "691306", "940623"), Err(AccessKeyError::Date(Field::BirthDate))));
}

/// Random text never makes the parser panic (a stand-in until the fuzz
/// target runs in CI: every length, alphabet-heavy).
#[test]
fn random_input_never_panics() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<<<<<<\n \xC3\xA5";
    for _ in 0..20_000 {
        let len = (next() % 100) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
        let _ = Mrz::parse(&String::from_utf8_lossy(&bytes));
    }
    // Mutations of a valid MRZ: one character changed anywhere.
    for i in 0..TD1.len() {
        for c in ["<", "0", "Z", "\n"] {
            let mut text = TD1.to_owned();
            if text.is_char_boundary(i) && text.is_char_boundary(i + 1) {
                text.replace_range(i..i + 1, c);
                let _ = Mrz::parse(&text);
            }
        }
    }
}

#[test]
fn dates_with_their_century() {
    let today = jiff::civil::date(2026, 12, 1);
    let mut mrz = Mrz::parse(concat!(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    ))
    .expect("the ICAO specimen");
    assert_eq!(mrz.birth(today), Some(jiff::civil::date(1974, 8, 12)));
    assert_eq!(mrz.expiry(), Some(jiff::civil::date(2012, 4, 15)));
    // Born this year, or last century on a later day of the year.
    mrz.birth_date = "261130".into();
    assert_eq!(mrz.birth(today), Some(jiff::civil::date(2026, 11, 30)));
    mrz.birth_date = "261202".into();
    assert_eq!(mrz.birth(today), Some(jiff::civil::date(1926, 12, 2)));
    for unknown in ["74<<<<", "740231", "7408", "", "7408121"] {
        mrz.birth_date = unknown.into();
        assert_eq!(mrz.birth(today), None, "{unknown:?}");
    }
}

#[test]
fn each_check_digit_is_reported_with_what_it_is_over() {
    let td3: Vec<&str> = TD3.lines().collect();
    let checks = check_fields(Format::Td3, &td3);
    let names: Vec<&str> = checks.iter().map(|c| c.field.name()).collect();
    assert_eq!(names, ["document_number", "date_of_birth", "expiry", "personal_number", "composite"]);
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    // The date of birth's check digit printed wrong: that field, and the
    // composite over it, say so.
    let wrong = td3[1].replacen("7408122", "7408123", 1);
    let checks = check_fields(Format::Td3, &[td3[0], &wrong]);
    let failing: Vec<Field> = checks.iter().filter(|c| !c.ok).map(|c| c.field).collect();
    assert_eq!(failing, [Field::BirthDate, Field::Composite]);
    assert_eq!((checks[1].printed, checks[1].data.as_str()), (b'3', "740812"));
    // A long document number (TD1: < in the check place, the number going
    // on in the optional data) is checked whole, as the parser checks it.
    let long: Vec<&str> = TD1_LONG.lines().collect();
    let checks = check_fields(Format::Td1, &long);
    assert_eq!((checks[0].data.as_str(), checks[0].printed), ("D23145890734", b'9'));
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    assert!(Mrz::parse(TD1_LONG).is_ok());
    // Lines of another shape have no check digits to report: an answer,
    // never a panic.
    assert!(check_fields(Format::Td1, &["P<"]).is_empty());
    let not_ascii = "Ø".repeat(22);
    assert!(check_fields(Format::Td3, &[not_ascii.as_str(), td3[1]]).is_empty());
}
