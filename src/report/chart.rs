//! Pages digitized per month as a bar chart, in SVG (a dozen bars need no plotting
//! library). Labels are in Kazakh and Russian; the numbers stand over the bars.

use std::fmt::Write;

use super::Report;

const MONTHS: [&str; 12] = [
    "қаң · янв",
    "ақп · фев",
    "нау · мар",
    "сәу · апр",
    "мам · май",
    "мау · июн",
    "шіл · июл",
    "там · авг",
    "қыр · сен",
    "қаз · окт",
    "қар · ноя",
    "жел · дек",
];

const WIDTH: f32 = 720.0;
const HEIGHT: f32 = 360.0;
const LEFT: f32 = 40.0;
const TOP: f32 = 56.0;
const BOTTOM: f32 = 48.0;

/// The chart of `report.pages_by_month` as an SVG document.
pub(crate) fn svg(report: &Report) -> String {
    let max = report.pages_by_month.iter().copied().max().unwrap_or(0).max(1) as f32;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - 2.0 * LEFT) / 12.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"DejaVu Sans, sans-serif\">\n\
         <title>Цифрланған беттер · Оцифровано страниц, {0}</title>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{LEFT}\" y=\"28\" font-size=\"16\">Цифрланған беттер · Оцифровано страниц, {0}</text>\n",
        report.year
    );
    let baseline = HEIGHT - BOTTOM;
    for (month, (&pages, label)) in report.pages_by_month.iter().zip(MONTHS).enumerate() {
        let height = pages as f32 / max * plot_height;
        let x = LEFT + month as f32 * slot;
        let center = x + slot / 2.0;
        let _ = writeln!(
            out,
            "<rect class=\"bar\" data-month=\"{}\" data-pages=\"{pages}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{height:.1}\" fill=\"#3b6ea5\"/>\n\
             <text x=\"{center:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{pages}</text>\n\
             <text x=\"{center:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{label}</text>",
            month + 1,
            x + slot * 0.15,
            baseline - height,
            slot * 0.7,
            baseline - height - 4.0,
            baseline + 16.0,
        );
    }
    let _ = writeln!(
        out,
        "<line x1=\"{LEFT}\" y1=\"{baseline}\" x2=\"{}\" y2=\"{baseline}\" stroke=\"black\"/>\n</svg>",
        WIDTH - LEFT
    );
    out
}
