//! The lab's [`Picture`] as an SVG for docs and slides: the same lanes, bars, markers and
//! legend the workbench draws in cells, on an axis in offsets from iat or in UTC.
//!
//! Written as plain XML: a few element kinds with numeric attributes, and every piece of text
//! (lane names, event outcomes in tooltips) escaped, which is less than a builder crate needs.

use std::fmt::Write;

use chrono::SecondsFormat;

use super::picture::{Bar, LaneKind, Mark, Picture, Played};
use super::{TokenTimes, format_offset};

/// What the axis counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SvgAxis {
    /// `+mm:ss` from iat.
    Offset,
    /// Wall-clock time, UTC.
    Utc,
}

const WIDTH: f64 = 960.0;
const LEFT: f64 = 150.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 56.0;
const LANE: f64 = 30.0;
const BAR: f64 = 10.0;
const FONT: &str = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\"";

/// `text` safe inside an XML attribute or element: markup escaped, and controls (which XML 1.0
/// forbids) written as visible escapes.
fn xml(text: &str) -> String {
    let text = crate::text::escape(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn bar_colour(bar: Bar) -> &'static str {
    match bar {
        Bar::Valid | Bar::Connected => "#2e9e5b",
        Bar::Expired | Bar::Out => "#f2b8b5",
        Bar::Reconnecting => "#f0ad4e",
        Bar::EndpointUp => "#c8ccd4",
        Bar::EndpointDown => "#d9534f",
    }
}

/// A CSS-ish class name for a bar or mark, so scripts (and tests) can find them.
fn bar_class(bar: Bar) -> &'static str {
    match bar {
        Bar::Valid => "valid",
        Bar::Expired => "expired",
        Bar::Connected => "connected",
        Bar::Reconnecting => "reconnecting",
        Bar::Out => "out",
        Bar::EndpointUp => "endpoint-up",
        Bar::EndpointDown => "endpoint-down",
    }
}

fn mark_class(mark: Mark) -> &'static str {
    match mark {
        Mark::In => "in",
        Mark::Lost => "lost",
        Mark::Out => "out",
        Mark::Refresh => "refresh",
        Mark::Warning => "warning",
        Mark::Expiry => "exp",
        Mark::Other => "other",
    }
}

/// The shape of a marker centred on (x, y).
fn mark_shape(mark: Mark, x: f64, y: f64) -> String {
    match mark {
        Mark::In => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"#2e9e5b\" stroke=\"#fff\" stroke-width=\"1.5\"/>"
        ),
        Mark::Lost => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#fff\" stroke=\"#e08a00\" stroke-width=\"2.5\"/>"
        ),
        Mark::Out => format!(
            "<path d=\"M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}\" stroke=\"#c9302c\" stroke-width=\"3\"/>",
            x - 6.0,
            y - 6.0,
            x + 6.0,
            y + 6.0,
            x - 6.0,
            y + 6.0,
            x + 6.0,
            y - 6.0
        ),
        Mark::Refresh => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"#1f78c8\" stroke=\"#fff\" stroke-width=\"1.5\"/>"
        ),
        Mark::Warning => format!(
            "<path d=\"M{x:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z\" fill=\"#f0ad4e\" stroke=\"#8a5a00\" stroke-width=\"1\"/>",
            y - 7.0,
            x + 7.0,
            y + 6.0,
            x - 7.0,
            y + 6.0
        ),
        Mark::Expiry => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"3\" height=\"16\" fill=\"#c9302c\"/>",
            x - 1.5,
            y - 8.0
        ),
        Mark::Other => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#6c757d\"/>"),
    }
}

/// A tick step (ms) that gives at most eight ticks over `end_ms`.
fn tick_step(end_ms: i64) -> i64 {
    const STEPS: [i64; 16] = [
        1_000,
        5_000,
        10_000,
        30_000,
        60_000,
        120_000,
        300_000,
        600_000,
        900_000,
        1_800_000,
        3_600_000,
        7_200_000,
        21_600_000,
        43_200_000,
        86_400_000,
        604_800_000,
    ];
    STEPS
        .into_iter()
        .find(|step| end_ms / step <= 8)
        .unwrap_or_else(|| (end_ms / 8).max(1))
}

/// The picture as an SVG document. `title` heads it; `played` gives the markers' tooltips.
pub fn render(
    times: &TokenTimes,
    picture: &Picture,
    played: &[Played],
    axis: SvgAxis,
    title: &str,
) -> String {
    let end = picture.end_ms.max(1);
    let plot = WIDTH - LEFT - RIGHT;
    let x_of = |t: i64| LEFT + plot * (t.clamp(0, end) as f64) / end as f64;
    let lanes_bottom = TOP + LANE * picture.lanes.len() as f64;
    let (bars, marks) = picture.legend();
    let meanings: Vec<&str> = bars
        .iter()
        .map(|bar| bar.meaning())
        .chain(marks.iter().map(|mark| mark.meaning()))
        .collect();
    let columns = legend_columns(&meanings, plot);
    let legend_rows = meanings.len().div_ceil(columns);
    let height = lanes_bottom + 50.0 + 22.0 * legend_rows as f64 + 10.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height:.0}\" viewBox=\"0 0 {WIDTH} {height:.0}\" {FONT} font-size=\"13\">"
    );
    let _ = writeln!(svg, "<title>{}</title>", xml(title));
    let _ = writeln!(
        svg,
        "<rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{height:.0}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        svg,
        "<text x=\"{LEFT}\" y=\"26\" font-size=\"16\" font-weight=\"bold\" fill=\"#222\">{}</text>",
        xml(title)
    );
    for (index, lane) in picture.lanes.iter().enumerate() {
        let y = TOP + LANE * index as f64 + LANE / 2.0;
        let _ = writeln!(
            svg,
            "<g class=\"lane\" data-lane=\"{}\">",
            xml(&lane.name())
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            LEFT - 10.0,
            y + 4.0,
            xml(&lane.name())
        );
        let _ = writeln!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#eceef2\" stroke-width=\"1\"/>",
            WIDTH - RIGHT
        );
        for segment in &lane.segments {
            let (x1, x2) = (x_of(segment.from_ms), x_of(segment.to_ms));
            if x2 <= x1 {
                continue;
            }
            let _ = writeln!(
                svg,
                "<rect class=\"bar bar-{}\" x=\"{x1:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{BAR}\" rx=\"2\" fill=\"{}\"/>",
                bar_class(segment.bar),
                y - BAR / 2.0,
                x2 - x1,
                bar_colour(segment.bar)
            );
        }
        // A client lane's markers index its own model's events; the others, the first model's.
        let source = match lane.kind {
            LaneKind::Client(id) => played.iter().find(|p| p.model.id == id),
            _ => played.first(),
        };
        for marker in &lane.markers {
            let tooltip = source
                .and_then(|p| p.events.get(marker.event))
                .map(|e| format!("{} {}: {}", format_offset(e.t_ms), e.event, e.outcome))
                .unwrap_or_default();
            let _ = writeln!(
                svg,
                "<g class=\"mark mark-{}\"><title>{}</title>{}</g>",
                mark_class(marker.mark),
                xml(&tooltip),
                mark_shape(marker.mark, x_of(marker.t_ms), y)
            );
        }
        let _ = writeln!(svg, "</g>");
    }
    // exp across every lane.
    let exp_x = x_of(picture.exp_ms);
    let _ = writeln!(
        svg,
        "<line class=\"exp\" x1=\"{exp_x:.1}\" y1=\"{:.1}\" x2=\"{exp_x:.1}\" y2=\"{:.1}\" stroke=\"#c9302c\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>",
        TOP - 6.0,
        lanes_bottom + 4.0
    );
    let _ = writeln!(
        svg,
        "<text x=\"{exp_x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#c9302c\" font-size=\"12\">exp</text>",
        TOP - 10.0
    );
    // The axis and its ticks.
    let axis_y = lanes_bottom + 8.0;
    let _ = writeln!(
        svg,
        "<g class=\"axis\"><line x1=\"{LEFT}\" y1=\"{axis_y:.1}\" x2=\"{:.1}\" y2=\"{axis_y:.1}\" stroke=\"#555\" stroke-width=\"1\"/>",
        WIDTH - RIGHT
    );
    let step = tick_step(end);
    let mut t = 0;
    while t <= end {
        let x = x_of(t);
        let label = match axis {
            SvgAxis::Offset => format_offset(t),
            SvgAxis::Utc => times
                .at(t)
                .to_rfc3339_opts(SecondsFormat::Secs, true)
                .replace('T', " "),
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{axis_y:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#555\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\" font-size=\"11\">{}</text>",
            axis_y + 5.0,
            axis_y + 18.0,
            xml(&label)
        );
        t = t.saturating_add(step);
    }
    let _ = writeln!(svg, "</g>");
    // The legend, in as many columns as its longest entry leaves room for.
    let legend_y = axis_y + 42.0;
    let entries: Vec<(String, String)> = bars
        .iter()
        .map(|bar| {
            (
                format!(
                    "<rect x=\"0\" y=\"-5\" width=\"22\" height=\"{BAR}\" rx=\"2\" fill=\"{}\"/>",
                    bar_colour(*bar)
                ),
                bar.meaning().to_string(),
            )
        })
        .chain(
            marks
                .iter()
                .map(|mark| (mark_shape(*mark, 11.0, 0.0), mark.meaning().to_string())),
        )
        .collect();
    let _ = writeln!(svg, "<g class=\"legend\">");
    for (index, (swatch, meaning)) in entries.iter().enumerate() {
        let x = LEFT + (index % columns) as f64 * (plot / columns as f64);
        let y = legend_y + 22.0 * (index / columns) as f64;
        let _ = writeln!(
            svg,
            "<g id=\"legend-{index}\" transform=\"translate({x:.1} {y:.1})\">{swatch}<text x=\"30\" y=\"4\" fill=\"#333\">{}</text></g>",
            xml(meaning)
        );
    }
    let _ = writeln!(svg, "</g>");
    svg.push_str("</svg>\n");
    svg
}

/// How many legend entries fit side by side in `width`: a swatch, the longest meaning (DejaVu
/// Sans at 13 px advances under 8.2 px a character, capitals included) and a gap each.
fn legend_columns(meanings: &[&str], width: f64) -> usize {
    let longest = meanings
        .iter()
        .map(|m| m.chars().count())
        .max()
        .unwrap_or(0);
    let entry = 30.0 + 8.2 * longest as f64 + 16.0;
    ((width / entry).floor() as usize).clamp(1, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_xml_and_controls_are_shown() {
        assert_eq!(
            xml("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(xml("\u{1b}[31m"), "\\e[31m");
    }

    #[test]
    fn ticks_stay_few() {
        assert_eq!(tick_step(18 * 60_000), 300_000);
        assert_eq!(tick_step(7_200_000), 900_000);
        assert!(i64::MAX / tick_step(i64::MAX) <= 8);
    }
}
