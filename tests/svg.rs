//! `tokenbench simulate P --svg`: the lab's picture as an SVG. It must be well-formed XML,
//! hold the lanes and markers of the scenario, and draw, bars and words (rasterised with resvg
//! in DejaVu Sans, the PNG kept under the target directory); the README's picture is what the
//! command draws today.

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

/// The font the SVG names first, from Debian's fonts-dejavu-core (scripts/test installs it).
const DEJAVU: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// The SVG drawn as resvg draws it, its text in DejaVu Sans.
fn rasterise(text: &str) -> resvg::tiny_skia::Pixmap {
    let font = std::fs::read(DEJAVU).unwrap_or_else(|e| {
        panic!("the picture's words need DejaVu Sans ({DEJAVU}: {e}): apt-get install fonts-dejavu-core, or run scripts/test")
    });
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_font_data(font);
    let tree = resvg::usvg::Tree::from_str(text, &options).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
}

#[test]
fn the_svg_draws_its_bars_where_it_says() {
    let text = svg(&DEMO);
    let pixmap = rasterise(&text);
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

/// Where a node's own coordinates start: the sum of its groups' `translate(x y)`.
fn translation(node: &roxmltree::Node) -> (f64, f64) {
    node.ancestors()
        .filter_map(|n| n.attribute("transform"))
        .map(|t| {
            let inner = t
                .strip_prefix("translate(")
                .and_then(|t| t.strip_suffix(')'))
                .unwrap_or_else(|| panic!("a transform other than translate: {t}"));
            let mut parts = inner
                .split([' ', ','])
                .filter(|p| !p.is_empty())
                .map(|p| p.parse::<f64>().unwrap());
            (parts.next().unwrap(), parts.next().unwrap_or(0.0))
        })
        .fold((0.0, 0.0), |(x, y), (dx, dy)| (x + dx, y + dy))
}

#[test]
fn every_word_of_the_svg_is_drawn() {
    let text = svg(&DEMO);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let words: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .collect();
    assert!(words.len() >= 10, "{} text elements", words.len());
    // The same picture without its text: where a word stands, the two must differ.
    let mut bare = text.clone();
    for word in words.iter().rev() {
        bare.replace_range(word.range(), "");
    }
    let (with, without) = (rasterise(&text), rasterise(&bare));
    for word in &words {
        let number = |name: &str| word.attribute(name).unwrap().parse::<f64>().unwrap();
        let (dx, dy) = translation(word);
        let (x, baseline) = (number("x") + dx, number("y") + dy);
        // Around the anchor (start, middle or end): 60 px either side, a line's height up.
        let columns = (x - 60.0).max(0.0) as u32..((x + 60.0) as u32).min(with.width());
        let rows = (baseline - 14.0).max(0.0) as u32..((baseline + 3.0) as u32).min(with.height());
        let inked = rows
            .flat_map(|y| columns.clone().map(move |x| (x, y)))
            .any(|(x, y)| with.pixel(x, y) != without.pixel(x, y));
        assert!(
            inked,
            "{:?} at ({x}, {baseline}) left no ink",
            word.text().unwrap_or_default()
        );
    }
}

/// Every text's box in canvas coordinates, laid out in DejaVu Sans.
fn text_boxes(group: &resvg::usvg::Group, boxes: &mut Vec<resvg::tiny_skia::Rect>) {
    for node in group.children() {
        match node {
            resvg::usvg::Node::Group(inner) => text_boxes(inner, boxes),
            resvg::usvg::Node::Text(text) => boxes.push(text.abs_bounding_box()),
            _ => {}
        }
    }
}

fn overlap(a: &resvg::tiny_skia::Rect, b: &resvg::tiny_skia::Rect) -> bool {
    a.x() < b.right() && b.x() < a.right() && a.y() < b.bottom() && b.y() < a.bottom()
}

#[test]
fn no_word_or_legend_entry_overlaps_another() {
    // The widest legend (Relaybox's and Agora's marks) and a narrow one (Zoom's).
    let agora = [
        "agora",
        "--ttl",
        "15m",
        "--force-disconnect-at",
        "10m",
        "--svg",
    ];
    for args in [&DEMO[..], &agora[..], &["zoom", "--ttl", "1h", "--svg"][..]] {
        let text = svg(args);
        let mut options = resvg::usvg::Options::default();
        options
            .fontdb_mut()
            .load_font_data(std::fs::read(DEJAVU).unwrap());
        let tree = resvg::usvg::Tree::from_str(&text, &options).unwrap();
        let entries: Vec<_> = (0..)
            .map_while(|i| tree.node_by_id(&format!("legend-{i}")))
            .map(|node| node.abs_bounding_box())
            .collect();
        assert!(
            entries.len() >= 4,
            "{}: {} legend entries",
            args[0],
            entries.len()
        );
        let mut words = Vec::new();
        text_boxes(tree.root(), &mut words);
        for boxes in [&entries, &words] {
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    assert!(!overlap(a, b), "{}: {a:?} overlaps {b:?}", args[0]);
                }
            }
        }
    }
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
