//! `tokenbench simulate P --svg`: the lab's picture as an SVG. It must be well-formed XML,
//! hold the lanes and markers of the scenario, and draw (rasterised with resvg, the PNG kept
//! under the target directory); the README's picture is what the command draws today.

use assert_cmd::Command;

const NOW: &str = "2026-11-22T10:00:00Z";

/// The demo: a 15 min Relaybox token, the endpoint down from 13 to 16 min, the client
/// offline from 14 to 16 min.
const DEMO: [&str; 12] = [
    "relaybox",
    "--ttl",
    "15m",
    "--drop-at",
    "14m",
    "--offline-for",
    "2m",
    "--endpoint-down-at",
    "13m",
    "--endpoint-up-at",
    "16m",
    "--svg",
];

fn svg(args: &[&str]) -> String {
    let output = Command::cargo_bin("tokenbench")
        .unwrap()
        .arg("simulate")
        .args(args)
        .args(["-", "--now", NOW])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn rgb(hex: &str) -> [u8; 3] {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

#[test]
fn the_svg_is_xml_with_a_lane_per_actor_and_the_scenarios_marks() {
    let text = svg(&DEMO);
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let lanes: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("data-lane"))
        .collect();
    assert_eq!(lanes, ["token", "client·relaybox", "endpoint", "server"]);
    let classes: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("class"))
        .collect();
    for class in [
        "bar bar-valid",
        "bar bar-expired",
        "bar bar-connected",
        "bar bar-reconnecting",
        "bar bar-out",
        "bar bar-endpoint-down",
        "mark mark-in",
        "mark mark-lost",
        "mark mark-out",
        "mark mark-warning",
        "mark mark-exp",
        "legend",
        "axis",
    ] {
        assert!(classes.contains(&class), "no {class}: {classes:?}");
    }
    // The markers' tooltips are the events, with their outcomes.
    assert!(text.contains("reauthenticating: failed: the auth endpoint did not answer"));
    // Offsets on the axis by default, UTC when asked.
    assert!(text.contains(">+15:00<"), "{text}");
    let utc = svg(&[&["--svg-axis", "utc"][..], &DEMO[..]].concat());
    assert!(utc.contains(">2026-11-22 10:15:00Z<"), "{utc}");
}

#[test]
fn the_svg_draws_its_bars_where_it_says() {
    let text = svg(&DEMO);
    let tree = resvg::usvg::Tree::from_str(&text, &resvg::usvg::Options::default()).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let png = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("lab-relaybox.png");
    pixmap.save_png(&png).unwrap();
    assert!(std::fs::metadata(&png).unwrap().len() > 1_000);

    let doc = roxmltree::Document::parse(&text).unwrap();
    let mut checked = 0;
    for rect in doc
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("bar ")))
    {
        let number = |name: &str| rect.attribute(name).unwrap().parse::<f64>().unwrap();
        let (x, y, w, h) = (number("x"), number("y"), number("width"), number("height"));
        if w < 8.0 {
            continue;
        }
        // The middle of the bar, clear of any marker drawn over its ends.
        let (cx, cy) = ((x + w / 2.0) as u32, (y + h / 2.0) as u32);
        let pixel = pixmap.pixel(cx, cy).unwrap();
        let want = rgb(rect.attribute("fill").unwrap());
        let markers_near = doc.descendants().any(|n| {
            n.attribute("cx")
                .and_then(|v| v.parse::<f64>().ok())
                .is_some_and(|mx| (mx - f64::from(cx)).abs() < 8.0)
        });
        if markers_near {
            continue;
        }
        assert_eq!(
            [pixel.red(), pixel.green(), pixel.blue()],
            want,
            "{} at ({cx}, {cy})",
            rect.attribute("class").unwrap()
        );
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} bars checked");
}

#[test]
fn the_readmes_picture_is_what_simulate_draws() {
    let committed = std::fs::read_to_string("docs/lab-relaybox.svg").unwrap();
    assert_eq!(
        committed,
        svg(&DEMO),
        "regenerate: tokenbench simulate {} - --now {NOW} > docs/lab-relaybox.svg",
        DEMO.join(" ")
    );
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(readme.contains("docs/lab-relaybox.svg"));
}

#[test]
fn an_svg_file_is_written_beside_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.svg");
    let output = Command::cargo_bin("tokenbench")
        .unwrap()
        .args(["simulate", "zoom", "--now", NOW, "--svg"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8(output.stdout).unwrap().contains("join"));
    let text = std::fs::read_to_string(&path).unwrap();
    roxmltree::Document::parse(&text).unwrap();

    let output = Command::cargo_bin("tokenbench")
        .unwrap()
        .args(["simulate", "zoom", "--svg", "/nonexistent-dir/lab.svg"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("cannot write the picture to /nonexistent-dir/lab.svg"),
        "{stderr}"
    );
}
