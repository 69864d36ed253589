//! Notes that an article goes on on another page, as newspapers print them: «Соңы 4-бетте»,
//! «Жалғасы 4-бетте», «Басы 1-бетте»; «Окончание на стр. 4», «Начало на стр. 1»;
//! "continued on page 4".

/// Words that say the article goes on on page N (read from the part that stops).
const ONWARD: &[&str] =
    &["соңы", "жалғасы", "окончание на стр", "продолжение на стр", "continued on page", "continued on p"];
/// Words that say the article began on page N (read from the part that goes on).
const BACK: &[&str] = &["басы", "начало на стр", "continued from page", "continued from p"];

/// The page `text` says its article is continued on.
pub(crate) fn continued_on(text: &str) -> Option<u32> {
    page_after(text, ONWARD)
}

/// The page `text` says its article began on.
pub(crate) fn continued_from(text: &str) -> Option<u32> {
    page_after(text, BACK)
}

/// The page number right after one of `markers`. A Kazakh marker must be followed by
/// «N-бетте» (N-бет: "page N"), since «басы» and «соңы» are also everyday words.
fn page_after(text: &str, markers: &[&str]) -> Option<u32> {
    let text = text.to_lowercase();
    for marker in markers {
        for (at, _) in text.match_indices(marker) {
            let rest =
                text[at + marker.len()..].trim_start_matches(|c: char| c.is_whitespace() || ".:,—-(".contains(c));
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let Ok(page) = digits.parse::<u32>() else { continue };
            let after = rest[digits.len()..].trim_start_matches(|c: char| c == '-' || c == '‑' || c.is_whitespace());
            let kazakh = marker.chars().next().is_some_and(|c| !c.is_ascii()) && !marker.contains(' ');
            if !kazakh || after.starts_with("бет") {
                return Some(page);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_in_kazakh_russian_and_english() {
        assert_eq!(continued_on("…мұрағатта сақталған. Соңы 2-бетте"), Some(2));
        assert_eq!(continued_on("Жалғасы 4 - бетте."), Some(4));
        assert_eq!(continued_on("…в архиве. Окончание на стр. 3"), Some(3));
        assert_eq!(continued_on("Continued on page 7"), Some(7));
        assert_eq!(continued_from("(Басы 1-бетте) Қала тарихы"), Some(1));
        assert_eq!(continued_from("(Начало на стр. 1)"), Some(1));
        // Everyday words are no note.
        assert_eq!(continued_from("Әңгіменің басы 1998 жылы басталды"), None);
        assert_eq!(continued_on("Соңы жақсы болды"), None);
        assert_eq!(continued_on("Соңы 2-бетте"), continued_on("СОҢЫ 2-БЕТТЕ"));
    }
}
