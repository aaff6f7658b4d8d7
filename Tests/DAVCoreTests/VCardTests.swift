import Testing
@testable import DAVCore

@Suite("vCard: parsing and writing")
struct VCardTests {
    @Test(arguments: VCardCorpus.all.map(\.style))
    func everyStyleRoundTripsThroughTextUnchanged(style: String) throws {
        let text = try #require(VCardCorpus.all.first { $0.style == style }).text
        let card = try VCard.parse(text)
        let again = try VCard.parse(card.text)
        #expect(again == card)
        #expect(again.text == card.text)
        #expect(card.properties.count == Folding.unfold(text).count - 3)  // all but BEGIN, VERSION, END
    }

    @Test func appleCardKeepsGroupsPhotoAndLabelsAndReadsItsFields() throws {
        let card = try VCard.parse(VCardCorpus.apple)
        #expect(card.version == .v3)
        #expect(card.formattedName == "Dr. Ines Maria Fischer")
        #expect(card.name == [["Fischer"], ["Ines"], ["Maria"], ["Dr."], [""]])
        #expect(card.organization == ["Globex Corporation", "Purchasing"])
        #expect(card.note == "Met at the trade fair, hall 3.\nPrefers calls before 10; email otherwise.")
        #expect(card.emails.map(\.value) == ["ines.fischer@globex.example", "ines@fischer-home.example"])
        #expect(card.emails[0].preferred && card.emails[0].types == ["internet", "work"] && !card.emails[1].preferred)
        #expect(card.categories == ["Customers", "Berlin"])
        let label = try #require(card.properties.first { $0.name == "X-ABLABEL" })
        #expect(label.group == "item2" && label.value == "_$!<HomePage>!$_")
        let photo = try #require(card.first("PHOTO"))
        #expect(photo.value.hasPrefix("/9j/4AAQ") && photo.value.hasSuffix("MjIyMjIyMjIy"))  // unfolded whole
        // Parameters are written as they came, only their names uppercased.
        #expect(card.text.contains("item1.ADR;TYPE=WORK;TYPE=pref:;;Friedrichstraße 12;Berlin;;10117;Germany"))
    }

    @Test func outlookBareTypesCountAsTypes() throws {
        let card = try VCard.parse(VCardCorpus.outlook)
        #expect(card.phones.map(\.types) == [["work", "voice"], ["cell", "voice"]])
        #expect(card.emails.first?.preferred == true)
        #expect(card.text.contains("TEL;WORK;VOICE:+46 8 123 456\r\n"))
        #expect(card.formattedName == "Åsa Svensson")
    }

    @Test func vCard4QuotedParametersCaretEncodingAndURIValues() throws {
        let card = try VCard.parse(VCardCorpus.v4)
        #expect(card.version == .v4)
        let address = try #require(card.first("ADR"))
        #expect(address.parameter("LABEL") == ["Simon Perreault\nSuite D2-630\n2875 Laurier\nQuebec, QC, Canada"])
        #expect(card.phones[0].value == "tel:+1-418-656-9254;ext=102" && card.phones[0].preferred)
        #expect(card.phones[1].types == ["work", "cell", "voice", "video", "text"])
        #expect(card.crmID == "contacts/42")
        #expect(address.unfolded.contains(#"LABEL="Simon Perreault^nSuite D2-630^n2875 Laurier^nQuebec, QC, Canada""#))
    }

    @Test func aFileWithSeveralCardsGivesThemAll() throws {
        let cards = try VCard.parseAll(VCardCorpus.apple + VCardCorpus.google + "\r\n" + VCardCorpus.v4)
        #expect(cards.map(\.formattedName) == ["Dr. Ines Maria Fischer", "Jörg Müller-Lüdenscheidt", "Simon Perreault"])
    }
}

@Suite("vCard: values with commas, semicolons, newlines and non-ASCII")
struct VCardValueTests {
    static let awkward = [
        "Smith, Jones & Partners; Ltd.", "Line one\nLine two\nLine three", #"C:\Users\name\path"#,
        "Zoë Ångström-Øvergård 日本語 🙂", "a,b,c;d;e", "ends with a backslash \\", "",
    ]

    @Test(arguments: awkward)
    func textRoundTripsExactly(value: String) throws {
        var card = VCard(version: .v3)
        card.setText("NOTE", value)
        card.setText("FN", value)
        card.properties.append(ContentLine(name: "ORG", value: TextValue.structured([[value], ["Sales"]])))
        let again = try VCard.parse(card.text)
        #expect(again.note == value && again.formattedName == value)
        #expect(again.organization == [value, "Sales"])
        // Nothing a server could cut at: every comma and semicolon of the text is escaped.
        let written = try #require(again.first("NOTE")).value
        #expect(TextValue.split(written, at: ",").count == 1 && TextValue.split(written, at: ";").count == 1)
    }

    @Test func longLinesFoldAt75OctetsWithoutSplittingACharacter() throws {
        var card = VCard()
        let note = String(repeating: "Grüße aus Zürich – 日本語のテキスト 🙂 ", count: 20)
        card.setText("NOTE", note)
        let lines = card.text.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast()
        for line in lines {
            #expect(line.utf8.count <= 75)
            #expect(String(validating: Array(line.utf8), as: UTF8.self) != nil)  // whole characters only
        }
        #expect(lines.count > 10)
        #expect(try VCard.parse(card.text).note == note)
        #expect(!card.text.replacingCRLF().contains("\n"))  // every line ends in CRLF
    }

    @Test func unescapingIsLenientAndEscapingIsCanonical() {
        #expect(TextValue.unescape(#"a\nb\Nc\,d\;e\\f\:g"#) == "a\nb\nc,d;e\\f:g")
        #expect(TextValue.escape("a\r\nb") == #"a\nb"#)
        #expect(TextValue.components(#"Doe;John,Johnny;;Dr\.;"#) == [["Doe"], ["John", "Johnny"], [""], ["Dr."], [""]])
    }
}

@Suite("vCard: content hash")
struct VCardHashTests {
    @Test func theHashIgnoresOrderRevProdidFoldingAndEscapingStyle() throws {
        let card = try VCard.parse(VCardCorpus.apple)
        var reordered = card
        reordered.properties.reverse()
        reordered.setText("REV", "2027-01-01T00:00:00Z")
        reordered.replace("PRODID", with: [])
        #expect(reordered.contentHash == card.contentHash)
        let upperN = try VCard.parse(VCardCorpus.apple.replacingOccurrences(of: "\\n", with: "\\N"))
        #expect(upperN.contentHash == card.contentHash)
        let typeCase = try VCard.parse(VCardCorpus.apple.replacingOccurrences(of: "type=HOME", with: "TYPE=home"))
        #expect(typeCase.contentHash == card.contentHash)
    }

    @Test func anyChangeOfWhatTheCardSaysChangesTheHash() throws {
        let card = try VCard.parse(VCardCorpus.google)
        var changed = card
        changed.setText("TITLE", "CEO")
        #expect(changed.contentHash != card.contentHash)
        var retyped = card
        retyped.properties[retyped.properties.firstIndex { $0.name == "TEL" }!].parameters = [.init(name: "TYPE", values: ["WORK"])]
        #expect(retyped.contentHash != card.contentHash)
        #expect(card.contentHash.count == 64)
    }
}

@Suite("vCard: malformed input")
struct VCardErrorTests {
    @Test(arguments: [
        ("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:No end\r\n", "line 1: the vCard that begins here has no END:VCARD"),
        ("BEGIN:VCARD\r\nFN:No version\r\nEND:VCARD\r\n", "line 1: the vCard has no VERSION"),
        ("BEGIN:VCARD\r\nVERSION:2.1\r\nEND:VCARD\r\n", "line 2: vCard version 2.1 is not supported: crmgate reads 3.0 and 4.0"),
        ("BEGIN:VCARD\r\nVERSION:4.0\r\nFN Jane\r\nEND:VCARD\r\n", "line 3: FN has no \":\" before its value"),
        ("BEGIN:VCARD\r\nVERSION:4.0\r\nADR;LABEL=\"open:;;;;;\r\nEND:VCARD\r\n", "line 3: the value of parameter LABEL opens a quote that never closes"),
        ("FN:Jane\r\n", "line 1: FN outside a vCard (no BEGIN:VCARD before it)"),
        ("BEGIN:VCARD\r\nVERSION:4.0\r\n:value\r\nEND:VCARD\r\n", "line 3: \":value\" does not start with a property name"),
        ("", "line 1: no vCard (BEGIN:VCARD) in the text"),
    ])
    func malformedCardsGetAPreciseError(text: String, message: String) {
        #expect(throws: ContentLineError.self) { try VCard.parse(text) }
        do {
            _ = try VCard.parse(text)
        } catch {
            #expect(error.description == message)
        }
    }

    /// Every cut of every corpus card, and each with one character removed here and there,
    /// parses or fails with a ContentLineError: nothing traps.
    @Test func truncatedAndDamagedCardsNeverTrap() {
        for (_, text) in VCardCorpus.all {
            let characters = Array(text)
            for cut in stride(from: 0, to: characters.count, by: 3) {
                for damaged in [String(characters[..<cut]), String(characters[..<cut] + characters[(cut + 1)...])] {
                    do {
                        _ = try VCard.parseAll(damaged)
                    } catch {
                        #expect(!error.message.isEmpty)
                    }
                }
            }
        }
    }

    @Test func limitsBoundSizeAndPropertyCount() {
        let many = "BEGIN:VCARD\r\nVERSION:4.0\r\n" + String(repeating: "NOTE:x\r\n", count: 11) + "END:VCARD\r\n"
        #expect(throws: ContentLineError(line: 13, "the vCard has more than 10 properties")) {
            try VCard.parse(many, limits: VCardLimits(maxProperties: 10))
        }
        #expect(throws: ContentLineError.self) { try VCard.parse(VCardCorpus.apple, limits: VCardLimits(maxBytes: 100)) }
    }
}

private extension String {
    func replacingCRLF() -> String { split(separator: "\r\n", omittingEmptySubsequences: false).joined() }
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
