//! The interface in Kazakh or Russian: the reader picks one (`?ui=kk`, `?ui=ru`) and a
//! cookie remembers it. Labels shared with the published site come from there.

/// The interface language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Ui {
    #[default]
    Kazakh,
    Russian,
}

impl Ui {
    pub(crate) const ALL: [Ui; 2] = [Ui::Kazakh, Ui::Russian];

    pub(crate) fn from_code(code: &str) -> Option<Ui> {
        match code {
            "kk" => Some(Ui::Kazakh),
            "ru" => Some(Ui::Russian),
            _ => None,
        }
    }

    /// BCP 47, for `lang` attributes and `?ui=`.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Ui::Kazakh => "kk",
            Ui::Russian => "ru",
        }
    }

    /// The language's own name, for the switch.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Ui::Kazakh => "Қазақша",
            Ui::Russian => "Русский",
        }
    }

    /// The label in this language, of a pair given Kazakh first.
    pub(crate) fn t(self, kk: &'static str, ru: &'static str) -> &'static str {
        match self {
            Ui::Kazakh => kk,
            Ui::Russian => ru,
        }
    }

    /// Of a `(kk, ru)` pair, as the published site's labels are.
    pub(crate) fn pick(self, pair: (&'static str, &'static str)) -> &'static str {
        self.t(pair.0, pair.1)
    }
}

/// A language code of the archive (`kaz`, `rus`, `eng`) named for readers.
pub(crate) fn language_name(ui: Ui, code: &str) -> String {
    let name = match code {
        "kaz" => ui.t("қазақ тілі", "казахский"),
        "rus" => ui.t("орыс тілі", "русский"),
        "eng" => ui.t("ағылшын тілі", "английский"),
        other => return other.to_string(),
    };
    name.to_string()
}
