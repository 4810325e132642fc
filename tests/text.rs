//! String values (`internals::value::Text`): short ones held in place, long ones shared,
//! and either way compared, ordered and shown as the `str` they hold.

use std::sync::Arc;

use proviso::internals::value::{Text, Value};

#[test]
fn a_value_stays_24_bytes_with_strings_held_in_place() {
    assert_eq!(std::mem::size_of::<Value>(), 24);
    assert_eq!(std::mem::size_of::<Text>(), 24);
}

#[test]
fn an_evaluator_result_is_no_larger_than_its_value() {
    type Evaluated = Result<Value, proviso::internals::eval::EvalError>;
    assert_eq!(std::mem::size_of::<Evaluated>(), 24);
    assert_eq!(
        std::mem::size_of::<Result<bool, proviso::internals::eval::EvalError>>(),
        16
    );
}

#[test]
fn up_to_22_bytes_are_held_in_place_and_longer_ones_shared() {
    let short = "a".repeat(22);
    let long = "a".repeat(23);
    assert!(Text::new(&short).is_inline());
    assert!(!Text::new(&long).is_inline());
    assert!(Text::new("").is_inline());
    assert_eq!(&*Text::new(&short), short);
    assert_eq!(&*Text::new(&long), long);
    assert_eq!(Text::new("").as_str(), "");
    // 20 bytes of three-byte characters and a two-byte one: 22 bytes, in place.
    let wide = "€€€€€€é";
    assert_eq!(wide.len(), 20);
    assert!(Text::new(wide).is_inline());
    assert_eq!(Text::new(wide).as_str(), wide);
}

#[test]
fn equal_whatever_the_way_it_was_made() {
    let from_arc = Text::from(Arc::<str>::from("SKU-1"));
    assert!(from_arc.is_inline());
    assert_eq!(from_arc, Text::from("SKU-1"));
    assert_eq!(Text::from(String::from("SKU-1")), Text::new("SKU-1"));
    assert_ne!(Text::new("SKU-1"), Text::new("SKU-10"));
    let long: Arc<str> = Arc::from("Generated for the benchmark.");
    let shared = Text::from(Arc::clone(&long));
    assert!(Arc::ptr_eq(&shared.to_arc(), &long));
    assert_eq!(&*Text::new("USD").to_arc(), "USD");
}

#[test]
fn ordered_as_str_is_ordered() {
    let words = [
        "",
        "a",
        "ab",
        "b",
        "B",
        "é",
        "z",
        "a longer string than twenty-two bytes",
        "a longer string than twenty-two bytes, and more",
    ];
    for x in words {
        for y in words {
            assert_eq!(
                Text::new(x).cmp(&Text::new(y)),
                x.cmp(y),
                "{x:?} against {y:?}"
            );
        }
    }
}

#[test]
fn shown_as_the_str_it_holds() {
    assert_eq!(format!("{:?}", Text::new("a\"b")), format!("{:?}", "a\"b"));
    assert_eq!(Text::new("CLM-1").to_string(), "CLM-1");
    assert_eq!(
        format!("{:?}", Value::Str(Text::new("x"))),
        "Str(\"x\")".to_string()
    );
}
