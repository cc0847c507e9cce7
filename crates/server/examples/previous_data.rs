//! Writes the records of the first schema, as builds from a clone kept
//! them before there were packages: `DIR/desk.sqlite` (a desk's file at
//! schema 1) and `DIR/server.sql` (a site's database at schema 1, for
//! `psql -f`). Each holds a caller in Latin script and one in Cyrillic,
//! indexed as search did then (before names in other scripts got their
//! Latin spellings). The package upgrade tests
//! (`packaging/install-test.sh`, `packaging/server-install-test.sh`) start
//! the installed binaries on them: the data must migrate on first start and
//! `shevchenko` then find Шевченко.
//!
//!   cargo run -p mitid-assist-server --example previous_data -- DIR

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use mitid_core::fold;
use mitid_core::store::Store;

/// The callers: given name, family name, phone (E.164).
const CALLERS: [(&str, &str, &str); 2] = [("Åse", "Ågård", "+4520123456"), ("Олена", "Шевченко", "+380441234567")];
const AT: &str = "2026-11-02T09:30:00Z";

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: previous_data DIR");
        return ExitCode::from(2);
    };
    let dir = Path::new(&dir);
    match write(dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("previous_data: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let desk = dir.join("desk.sqlite");
    for stale in ["desk.sqlite", "desk.sqlite-wal", "desk.sqlite-shm"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    drop(Store::open_at(&desk, 1)?);
    let conn = rusqlite::Connection::open(&desk)?;
    for (given, family, phone) in CALLERS {
        conn.execute(
            "INSERT INTO caller (given_name, family_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            (given, family, AT),
        )?;
        conn.execute("INSERT INTO caller_phone (caller_id, e164) VALUES (?1, ?2)", (conn.last_insert_rowid(), phone))?;
    }
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")?;
    drop(conn);

    let mut sql = String::from("BEGIN;\n");
    sql.push_str(mitid_assist_server::db::MIGRATIONS[0]);
    sql.push_str("\nCREATE TABLE schema_version (version BIGINT NOT NULL);\nINSERT INTO schema_version VALUES (1);\n");
    for (id, (given, family, phone)) in CALLERS.iter().enumerate() {
        let name = format!("{given} {family}");
        // Then, letters of other scripts were kept as they are.
        let (key, terms) = if name.chars().any(|c| ('\u{0370}'..='\u{06FF}').contains(&c)) {
            (name.to_lowercase(), name.to_lowercase())
        } else {
            (fold::key(&name), fold::index_terms(&name))
        };
        let terms: Vec<&str> = terms.split_whitespace().collect();
        let id = id + 1;
        writeln!(
            sql,
            "INSERT INTO caller (id, given_name, family_name, name_key, terms, created_at, updated_at) \
             VALUES ({id}, {}, {}, {}, ARRAY[{}]::text[], '{AT}', '{AT}');",
            quote(given),
            quote(family),
            quote(&key),
            terms.iter().map(|t| quote(t)).collect::<Vec<_>>().join(", "),
        )?;
        for term in &terms {
            writeln!(
                sql,
                "INSERT INTO caller_term (term, caller_id) VALUES ({}, {id}) ON CONFLICT DO NOTHING;",
                quote(term)
            )?;
        }
        writeln!(sql, "INSERT INTO caller_phone (caller_id, pos, e164) VALUES ({id}, 0, '{phone}');")?;
    }
    sql.push_str("SELECT setval('caller_id_seq', (SELECT max(id) FROM caller));\nCOMMIT;\n");
    std::fs::write(dir.join("server.sql"), sql)?;
    Ok(())
}

/// A string as an SQL literal.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
