//! Made-up callers for demos and benchmarks: names from the countries the
//! help desks see most, valid phone numbers, plausible birth dates. The
//! same seed gives the same people.

use jiff::civil::Date;

use crate::caller::{CallerDetails, DocumentKind, DocumentRef, Phone};

/// A small, fast, seeded generator (SplitMix64); not for secrets.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

struct Origin {
    country: &'static str,
    language: &'static str,
    given: &'static [&'static str],
    family: &'static [&'static str],
}

const ORIGINS: &[Origin] = &[
    Origin {
        country: "UKR",
        language: "uk",
        given: &[
            "Olena",
            "Oksana",
            "Iryna",
            "Andrii",
            "Oleksandr",
            "Dmytro",
            "Yuliia",
            "Serhii",
            "Nataliia",
            "Taras",
            "Мирослава",
            "Богдан",
        ],
        family: &[
            "Shevchenko",
            "Kovalenko",
            "Bondarenko",
            "Tkachenko",
            "Kravchenko",
            "Melnyk",
            "Boiko",
            "Ткаченко",
            "Lysenko",
        ],
    },
    Origin {
        country: "POL",
        language: "pl",
        given: &["Łukasz", "Agnieszka", "Małgorzata", "Piotr", "Katarzyna", "Paweł", "Zofia", "Wojciech"],
        family: &["Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zieliński", "Szymańska"],
    },
    Origin {
        country: "D<<",
        language: "de",
        given: &["Jürgen", "Anna", "Lukas", "Sophie", "Maximilian", "Jörg", "Lena", "Günther"],
        family: &["Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Schäfer", "Groß", "Köhler"],
    },
    Origin {
        country: "ROU",
        language: "ro",
        given: &["Andrei", "Ioana", "Mihai", "Elena", "Ștefan", "Cristina", "Răzvan"],
        family: &["Popescu", "Ionescu", "Popa", "Stoica", "Dumitrescu", "Țurcan"],
    },
    Origin {
        country: "SYR",
        language: "ar",
        given: &["Mohammad", "Ahmad", "Fatima", "Rania", "Omar", "Layla", "Yousef", "Amal"],
        family: &["Al-Hassan", "Haddad", "Khoury", "Nasser", "Al-Masri", "Darwish", "Saleh"],
    },
    Origin {
        country: "PHL",
        language: "en",
        given: &["Maria Cristina", "Jose", "Angelica", "Mark Anthony", "Rowena", "Jericho"],
        family: &["Dela Cruz", "Santos", "Reyes", "Bautista", "Villanueva", "Garcia"],
    },
    Origin {
        country: "IND",
        language: "en",
        given: &["Priya", "Rahul", "Ananya", "Arjun", "Lakshmi", "Vikram", "Deepika"],
        family: &["Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair", "Singh"],
    },
    Origin {
        country: "SWE",
        language: "sv",
        given: &["Åsa", "Björn", "Ingrid", "Lars-Erik", "Märta", "Sören"],
        family: &["Andersson", "Johansson", "Ekström", "Lindqvist", "Öberg", "Åkesson"],
    },
    Origin {
        country: "GBR",
        language: "en",
        given: &["Oliver", "Amelia", "George", "Isla", "Harry", "Siobhan"],
        family: &["Smith", "Jones", "O'Brien", "Taylor", "Wilson", "Davies"],
    },
    Origin {
        country: "ISL",
        language: "is",
        given: &["Guðrún", "Sigurður", "Þóra", "Jón"],
        family: &["Jónsdóttir", "Guðmundsson", "Þórsdóttir", "Einarsson"],
    },
];

/// Danish mobile number ranges (first two digits).
const DK_MOBILE: &[u64] =
    &[20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 40, 41, 42, 50, 51, 52, 53, 60, 61, 71, 81, 91, 92, 93];

/// A made-up caller. About one in eight gets a second family name, most a
/// Danish mobile number, some an e-mail address and a passport.
pub fn caller(rng: &mut Rng) -> CallerDetails {
    let origin = &ORIGINS[rng.below(ORIGINS.len() as u64) as usize];
    let given = rng.pick(origin.given).to_owned();
    let mut family = rng.pick(origin.family).to_owned();
    if rng.below(8) == 0 {
        family = format!("{family} {}", rng.pick(origin.family));
    }
    let year = 1940 + rng.below(66) as i16;
    let birth_date = Date::new(year, 1 + rng.below(12) as i8, 1 + rng.below(28) as i8).ok();
    let mut phones = Vec::new();
    if rng.below(10) < 9 {
        let prefix = DK_MOBILE[rng.below(DK_MOBILE.len() as u64) as usize];
        // A third digit of 0 is unassigned in most ranges.
        phones.push(Phone::from_stored(format!("+45{prefix}{}{:05}", 1 + rng.below(9), rng.below(100_000))));
    }
    let email = (rng.below(3) == 0).then(|| {
        let local: String = crate::fold::key(&given).chars().filter(char::is_ascii_alphanumeric).collect();
        format!("{}{}@example.org", if local.is_empty() { "caller" } else { &local }, rng.below(10_000))
    });
    let documents = if rng.below(2) == 0 {
        vec![DocumentRef {
            kind: DocumentKind::Passport,
            country: origin.country.to_owned(),
            number: format!("{}{:07}", (b'A' + rng.below(26) as u8) as char, rng.below(10_000_000)),
        }]
    } else {
        Vec::new()
    };
    CallerDetails {
        given_name: given,
        family_name: family,
        birth_date,
        nationality: Some(origin.country.to_owned()),
        phones,
        email,
        language: Some(origin.language.to_owned()),
        notes: String::new(),
        documents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_callers_are_valid_and_repeatable() {
        let today = jiff::civil::date(2026, 11, 24);
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        for _ in 0..500 {
            let caller = super::caller(&mut a);
            assert_eq!(caller, super::caller(&mut b));
            let checked = caller.clone().validated(today).expect("valid");
            for phone in &checked.phones {
                assert_eq!(Phone::parse(phone.e164()).as_ref(), Ok(phone), "libphonenumber agrees");
            }
        }
    }
}
