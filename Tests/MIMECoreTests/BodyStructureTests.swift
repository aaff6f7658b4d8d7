import IMAPCore
import Testing
@testable import MIMECore

@Suite("BODYSTRUCTURE")
struct BodyStructureTests {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func plainTextPart() {
        let raw = Fixtures.plain
        let index = MessageIndex.parse(raw)
        let expected = BodyStructure.singlepart(.init(
            kind: .text(subtype: "PLAIN", lines: 2),
            fields: .init(parameters: [.init("CHARSET", bytes("us-ascii"))], encoding: "7BIT", octets: 34)
        ))
        #expect(index.bodyStructure == expected)
    }

    @Test func alternativeHasTwoTextParts() {
        guard case .multipart(let multi) = MessageIndex.parse(Fixtures.alternative).bodyStructure else {
            Issue.record("expected multipart")
            return
        }
        #expect(multi.subtype == "ALTERNATIVE")
        #expect(multi.parameters == [.init("BOUNDARY", bytes("alt"))])
        #expect(multi.parts.count == 2)
        guard case .singlepart(let html) = multi.parts[1] else { Issue.record("expected single part"); return }
        #expect(html.kind == .text(subtype: "HTML", lines: 1))
        #expect(html.fields.encoding == "QUOTED-PRINTABLE")
        #expect(html.fields.octets == "<p>Hello =3D html</p>".utf8.count)
        #expect(html.fields.parameters == [.init("CHARSET", bytes("utf-8"))])
    }

    @Test func attachmentCarriesExtensionData() {
        guard case .multipart(let multi) = MessageIndex.parse(Fixtures.mixedWithAttachment).bodyStructure,
              case .singlepart(let text) = multi.parts[0],
              case .singlepart(let pdf) = multi.parts[1] else {
            Issue.record("expected multipart with two single parts")
            return
        }
        #expect(text.ext.language == ["en", "de"])
        #expect(pdf.kind == .basic(type: "APPLICATION", subtype: "PDF"))
        #expect(pdf.fields.encoding == "BASE64")
        #expect(pdf.fields.octets == Fixtures.pdfBase64.utf8.count)
        #expect(pdf.fields.id == bytes("<pdf1@example.de>"))
        #expect(pdf.fields.description == bytes("The report"))
        #expect(pdf.fields.parameters == [.init("NAME", bytes("Müller.pdf"))])
        #expect(pdf.ext.disposition == .init(kind: "ATTACHMENT", parameters: [.init("FILENAME", bytes("Müller.pdf"))]))
    }

    @Test func nestedMultipartShape() {
        guard case .multipart(let outer) = MessageIndex.parse(Fixtures.nested).bodyStructure,
              case .multipart(let inner) = outer.parts[0],
              case .singlepart(let image) = outer.parts[1] else {
            Issue.record("expected mixed(alternative, image)")
            return
        }
        #expect(outer.subtype == "MIXED")
        #expect(inner.subtype == "ALTERNATIVE")
        #expect(inner.parts.count == 2)
        #expect(image.kind == .basic(type: "IMAGE", subtype: "PNG"))
        #expect(image.fields.octets == 12)
    }

    @Test func messageRFC822PartHasEnvelopeBodyAndLines() {
        let raw = Fixtures.forwarded
        let index = MessageIndex.parse(raw)
        guard case .multipart(let mixed) = index.bodyStructure,
              case .singlepart(let attached) = mixed.parts[1],
              case .message(let subtype, _, let body, let lines) = attached.kind,
              case .multipart(let inner) = body else {
            Issue.record("expected message/rfc822 containing a multipart")
            return
        }
        let part = index.part(at: [2])
        #expect(subtype == "RFC822")
        #expect(attached.fields.octets == part?.bodyRange.count)
        #expect(lines == 15)
        #expect(inner.subtype == "ALTERNATIVE")
        #expect(inner.parts.count == 2)
    }

    @Test func multipartWithoutPartsReportsOneEmptyTextPart() {
        let raw = Fixtures.crlf("Content-Type: multipart/mixed\n\nno boundary\n")
        guard case .multipart(let multi) = MessageIndex.parse(raw).bodyStructure else {
            Issue.record("expected multipart")
            return
        }
        #expect(multi.parts.count == 1)
    }

    @Test func base64MessageRFC822IsReportedAsBasic() {
        let raw = Fixtures.crlf("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQp5\n")
        guard case .singlepart(let part) = MessageIndex.parse(raw).bodyStructure else {
            Issue.record("expected single part")
            return
        }
        #expect(part.kind == .basic(type: "MESSAGE", subtype: "RFC822"))
    }
}
