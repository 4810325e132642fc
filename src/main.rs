fn main() {
    let set = match proviso::PolicySet::load("policies") {
        Ok(s) => s,
        Err(e) => { eprintln!("{:?}", miette::Report::new(e)); std::process::exit(3) }
    };
    for f in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        match set.evaluate(&proviso::Document::yaml(f.as_str(), &text)) {
            Ok(d) => println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default()),
            Err(e) => eprintln!("{:?}", miette::Report::new(e)),
        }
    }
}
