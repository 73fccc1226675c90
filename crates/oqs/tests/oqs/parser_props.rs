//! The parser never panics: arbitrary bytes, and arbitrary well-formed XML built from real element names.

use oqs::xml::{Charset, XmlMsg};
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "XmlMsg",
    "MessageHeader",
    "MessageBody",
    "ResultList",
    "ResultOfQualificationConfirmation",
    "QualificationValidity",
    "InsurerNumber",
    "Sex1",
    "Birthdate",
    "SegmentOfResult",
    "ElderlyRecipientCertificateInfo",
    "LimitApplicationCertificateRelatedInfo",
    "SpecificDiseasesCertificateList",
    "SpecificDiseasesCertificateInfo",
    "PharmacistsInfoConsFlg",
    "QualificationConfirmSearchInfo",
    "CardAuthInfo",
    "ConsentSelection",
    "Unknown",
    "x",
];

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Elem(usize, Vec<Node>),
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        "[^<&\u{0}-\u{8}\u{b}\u{c}\u{e}-\u{1f}]{0,12}".prop_map(Node::Text),
        (0..NAMES.len()).prop_map(|i| Node::Elem(i, vec![])),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        (0..NAMES.len(), prop::collection::vec(inner, 0..6)).prop_map(|(i, kids)| Node::Elem(i, kids))
    })
}

fn render(n: &Node, out: &mut String) {
    match n {
        Node::Text(t) => out.push_str(&t.replace('>', "&gt;")),
        Node::Elem(i, kids) => {
            let name = NAMES[*i];
            out.push('<');
            out.push_str(name);
            out.push('>');
            for k in kids {
                render(k, out);
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = XmlMsg::from_bytes(&bytes);
    }

    #[test]
    fn arbitrary_bytes_behind_a_declaration_never_panic(
        sjis in any::<bool>(),
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut doc = format!("<?xml version=\"1.0\" encoding=\"{}\"?><XmlMsg>", if sjis { "Shift_JIS" } else { "UTF-8" }).into_bytes();
        doc.extend_from_slice(&bytes);
        let _ = XmlMsg::from_bytes(&doc);
    }

    #[test]
    fn arbitrary_well_formed_xml_never_panics_and_a_parsed_message_re_serialises(kids in prop::collection::vec(node(), 0..5)) {
        let mut text = String::from("<XmlMsg>");
        for k in &kids {
            render(k, &mut text);
        }
        text.push_str("</XmlMsg>");
        if let Ok(d) = XmlMsg::from_bytes(text.as_bytes()) {
            for charset in [Charset::Utf8, Charset::ShiftJis] {
                let bytes = d.msg.to_bytes(charset);
                prop_assert!(bytes.is_ok());
            }
        }
    }
}
