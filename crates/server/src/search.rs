//! Caller search on the server, ranked as the desk ranks: exact phone, then
//! e-mail and references, then the whole name by its folded key, whole
//! words, prefixes, and near misses — with the desk's folding (æ/ae, ø/oe,
//! å/aa, Cyrillic and Greek as the MRZ writes them). Never sorts a large
//! set: every step reads a bounded number of rows from an index.

use std::collections::HashSet;

use mitid_core::caller::Phone;
use mitid_core::fold;
use mitid_core::store::{Hit, MatchKind};

use crate::error::Failure;
use crate::records::Records;

/// How many word or prefix matches are ranked.
const CANDIDATES: i64 = 400;
/// The most words of a query used.
const MAX_WORDS: usize = 8;
/// How many names are checked for near misses.
const FUZZY_CANDIDATES: i64 = 3000;
/// The most a search returns.
pub const MAX_LIMIT: usize = 200;

/// A string after every string that starts with `prefix` (the smallest
/// one there is, or — for a prefix of nothing but the last character —
/// one past every term).
fn after_prefix(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    char::MAX.to_string().repeat(4)
}

/// The longest beginning of a word the index holds (as migration 5's
/// `name_prefixes`).
const PREFIX_CHARS: usize = 12;

/// The query for names with a word beginning with each word typed: the
/// beginnings (`$1`, cut to [`PREFIX_CHARS`]) by the GIN index, then for
/// each of the `long` words longer than that a check of the words
/// themselves (`$3`…), at most `$2` names.
fn beginnings_sql(long: usize) -> String {
    let checks: String = (0..long).map(|i| format!(" AND words LIKE ${}", i + 3)).collect();
    format!("SELECT id, length(name_key) FROM caller WHERE prefixes @> $1::text[]{checks} LIMIT $2")
}

struct Found {
    ids: Vec<(i64, MatchKind)>,
    seen: HashSet<i64>,
}

impl Found {
    fn push(&mut self, id: i64, kind: MatchKind) {
        if self.seen.insert(id) {
            self.ids.push((id, kind));
        }
    }
}

impl Records {
    /// Callers matching `query`, best first, at most `limit`.
    pub async fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, Failure> {
        let query = query.trim();
        let limit = limit.min(MAX_LIMIT);
        let mut found = Found { ids: Vec::new(), seen: HashSet::new() };
        if query.is_empty() || limit == 0 || query.contains('\0') {
            return Ok(Vec::new());
        }
        let client = self.pool.get().await?;
        let limit_sql = limit as i64;
        if query.contains('@') {
            // The address, whole or its beginning: a range of the index.
            let lower = query.to_lowercase();
            let rows = client
                .query(
                    &client
                        .prepare_cached(
                            "SELECT id FROM caller
                             WHERE lower(email) COLLATE \"C\" >= $1 AND lower(email) COLLATE \"C\" < $2
                             ORDER BY lower(email) <> $1, id LIMIT $3",
                        )
                        .await?,
                    &[&lower, &after_prefix(&lower), &limit_sql],
                )
                .await?;
            rows.iter().for_each(|r| found.push(r.get(0), MatchKind::Email));
            return self.hits(&client, found.ids).await;
        }
        let digits = query.chars().filter(char::is_ascii_digit).count();
        if digits >= 6 && query.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c)) {
            if let Ok(phone) = Phone::parse(query) {
                let rows = client
                    .query(
                        &client.prepare_cached("SELECT caller_id FROM caller_phone WHERE e164 = $1 LIMIT $2").await?,
                        &[&phone.e164(), &limit_sql],
                    )
                    .await?;
                rows.iter().for_each(|r| found.push(r.get(0), MatchKind::Phone));
            }
            return self.hits(&client, found.ids).await;
        }
        let upper = query.to_ascii_uppercase();
        let reference = upper.strip_prefix("C-").or(upper.strip_prefix("C")).and_then(|n| n.trim().parse::<i64>().ok());
        if let Some(id) = reference {
            if client.query_opt("SELECT id FROM caller WHERE id = $1", &[&id]).await?.is_some() {
                found.push(id, MatchKind::Reference);
            }
            return self.hits(&client, found.ids).await;
        }
        if let Some(hex) = upper.strip_prefix("P-").filter(|h| h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()))
        {
            let reference = format!("P-{}", hex.to_ascii_lowercase());
            if let Some(row) =
                client.query_opt("SELECT caller_id FROM pcode WHERE reference = $1", &[&reference]).await?
            {
                found.push(row.get(0), MatchKind::Reference);
            }
            return self.hits(&client, found.ids).await;
        }
        let mut terms = fold::query_terms(query);
        // A pasted paragraph is not a name: its first words serve.
        terms.truncate(MAX_WORDS);
        let Some(longest) = terms.iter().max_by_key(|t| t.chars().count()).cloned() else {
            return Ok(Vec::new());
        };
        // 1. The whole name, exactly; 2. whole words; 3. beginnings of
        // words: the callers whose name has every word typed or a word
        // beginning with each, at most CANDIDATES of them, ranked by how
        // short the name is. One word is a range of the words' own index
        // (which carries the name's length), read only as far as needed;
        // several, typed in the name's order, a range of the names' keys —
        // and only when those are few, the GIN indexes for the words in any
        // order (a GIN scan reads every match before the first row, which
        // for one common word is thousands). The first three go to the
        // database at once, in one round trip.
        let typed_key = fold::key(query);
        let (whole, exact, first_beginnings) = {
            let whole = client.prepare_cached("SELECT id FROM caller WHERE name_key = $1 ORDER BY id LIMIT $2");
            let words_sql = if terms.len() == 1 {
                "SELECT caller_id, name_len FROM caller_term WHERE term = $1 LIMIT $2"
            } else {
                "SELECT id, length(name_key) FROM caller WHERE terms @> $1::text[] LIMIT $2"
            };
            let beginnings_sql = if terms.len() == 1 {
                "SELECT caller_id, name_len FROM caller_term WHERE term >= $1 AND term < $2 LIMIT $3"
            } else {
                "SELECT id, length(name_key) FROM caller WHERE name_key >= $1 AND name_key < $2 LIMIT $3"
            };
            let (whole, words, beginnings) =
                tokio::try_join!(whole, client.prepare_cached(words_sql), client.prepare_cached(beginnings_sql))?;
            let (from, to) = match terms.as_slice() {
                [word] => (word.clone(), after_prefix(word)),
                _ => (typed_key.clone(), after_prefix(&typed_key)),
            };
            let word_param: &(dyn postgres_types::ToSql + Sync) = if terms.len() == 1 { &terms[0] } else { &terms };
            let whole_params: [&(dyn postgres_types::ToSql + Sync); 2] = [&typed_key, &limit_sql];
            let words_params: [&(dyn postgres_types::ToSql + Sync); 2] = [word_param, &CANDIDATES];
            let beginnings_params: [&(dyn postgres_types::ToSql + Sync); 3] = [&from, &to, &CANDIDATES];
            tokio::try_join!(
                client.query(&whole, &whole_params),
                client.query(&words, &words_params),
                client.query(&beginnings, &beginnings_params),
            )?
        };
        whole.iter().for_each(|r| found.push(r.get(0), MatchKind::Name));
        let ranked = |found: &mut Found, rows: &[tokio_postgres::Row]| {
            let mut candidates: Vec<(i64, i32)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
            candidates.sort_by_key(|(id, len)| (*len, *id));
            candidates.into_iter().for_each(|(id, _)| found.push(id, MatchKind::Name));
        };
        if found.ids.len() < limit {
            ranked(&mut found, &exact);
        }
        if found.ids.len() < limit {
            let mut rows = first_beginnings;
            if terms.len() > 1 && (rows.len() as i64) < CANDIDATES {
                let beginnings: Vec<String> = terms.iter().map(|t| t.chars().take(PREFIX_CHARS).collect()).collect();
                let long: Vec<String> = terms
                    .iter()
                    .filter(|t| t.chars().count() > PREFIX_CHARS)
                    .map(|t| format!("% {}%", t.replace(['%', '_', '\\'], "")))
                    .collect();
                let any_order = client.prepare_cached(&beginnings_sql(long.len())).await?;
                let mut params: Vec<&(dyn postgres_types::ToSql + Sync)> = vec![&beginnings, &CANDIDATES];
                params.extend(long.iter().map(|p| p as &(dyn postgres_types::ToSql + Sync)));
                rows.extend(client.query(&any_order, &params).await?);
            }
            ranked(&mut found, &rows);
        }
        // 3b. A name in Arabic script by the consonants of the Latin
        // spelling typed.
        let skeletons = fold::skeleton_terms(query);
        if found.ids.len() < limit && !skeletons.is_empty() {
            let all_words = client
                .prepare_cached("SELECT id, length(name_key) FROM caller WHERE terms @> $1::text[] LIMIT $2")
                .await?;
            let rows = client.query(&all_words, &[&skeletons, &CANDIDATES]).await?;
            ranked(&mut found, &rows);
        }
        // 4. Near misses: names with a word sharing the longest word's
        // first two letters, within one edit (two for long words).
        if found.ids.len() < limit && longest.chars().count() >= 4 {
            let head: String = longest.chars().take(2).collect();
            let max = if longest.chars().count() >= 8 { 2 } else { 1 };
            let rows = client
                .query(
                    &client
                        .prepare_cached(
                            "SELECT t.caller_id, t.term FROM caller_term t
                             WHERE t.term >= $1 AND t.term < $2 LIMIT $3",
                        )
                        .await?,
                    &[&head, &after_prefix(&head), &FUZZY_CANDIDATES],
                )
                .await?;
            for row in rows {
                let term: &str = row.get(1);
                if fold::within(term, &longest, max) {
                    found.push(row.get(0), MatchKind::Fuzzy);
                    if found.ids.len() >= limit {
                        break;
                    }
                }
            }
        }
        found.ids.truncate(limit);
        self.hits(&client, found.ids).await
    }

    /// The rows to show for the callers found, in order.
    async fn hits(
        &self,
        client: &deadpool_postgres::Client,
        found: Vec<(i64, MatchKind)>,
    ) -> Result<Vec<Hit>, Failure> {
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
        let rows = client
            .query(
                &client
                    .prepare_cached(
                        "SELECT id, given_name, family_name, birth_date::text,
                             (SELECT e164 FROM caller_phone WHERE caller_id = c.id ORDER BY pos LIMIT 1)
                         FROM caller c WHERE id = ANY($1)",
                    )
                    .await?,
                &[&ids],
            )
            .await?;
        let mut hits = Vec::with_capacity(found.len());
        for (id, kind) in found {
            if let Some(r) = rows.iter().find(|r| r.get::<_, i64>(0) == id) {
                let name = format!("{} {}", r.get::<_, &str>(1), r.get::<_, &str>(2)).trim().to_owned();
                hits.push(Hit { caller_id: id, name, birth_date: r.get(3), phone: r.get(4), kind });
            }
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_after_a_prefix_holds_exactly_the_words_that_start_with_it() {
        assert_eq!(after_prefix("han"), "hao");
        assert!(after_prefix("").as_str() > "zzzz");
        let after = after_prefix("søren");
        assert!("sørensen" >= "søren" && "sørensen" < after.as_str());
    }
}
