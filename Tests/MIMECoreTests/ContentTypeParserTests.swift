import Testing
@testable import MIMECore

@Suite("Content-Type and RFC 2231 parameters")
struct ContentTypeParserTests {
    private func contentType(_ s: String) -> (type: String, subtype: String, parameters: [String: String])? {
        ContentTypeParser.contentType(Array(s.utf8))
    }

    @Test func typeAndParametersAreLowercasedNames() {
        let parsed = contentType("Text/HTML; Charset=\"UTF-8\"; Format=flowed")
        #expect(parsed?.type == "text")
        #expect(parsed?.subtype == "html")
        #expect(parsed?.parameters == ["charset": "UTF-8", "format": "flowed"])
    }

    @Test func commentsAndOddSpacingAreSkipped() {
        let parsed = contentType(" text (comment) / plain ; charset = us-ascii (Plain text)")
        #expect(parsed?.subtype == "plain")
        #expect(parsed?.parameters["charset"] == "us-ascii")
    }

    @Test func unquotedBoundaryWithEqualsSign() {
        #expect(contentType("multipart/mixed; boundary=----=_Part_0_1.2")?.parameters["boundary"] == "----=_Part_0_1.2")
    }

    @Test func quotedValueMayContainSemicolonAndEscapes() {
        #expect(contentType("application/x; name=\"a;b \\\"c\\\".txt\"")?.parameters["name"] == "a;b \"c\".txt")
    }

    @Test func rfc2231CharsetAndContinuations() {
        let parsed = contentType("application/pdf; name*0*=utf-8''M%C3%BC; name*1=ller; name*2*=%2Epdf; name=\"fallback.pdf\"")
        #expect(parsed?.parameters["name"] == "Müller.pdf")
    }

    @Test func rfc2231WithLanguageAndLatin1() {
        #expect(contentType("text/plain; title*=iso-8859-1'de'Gr%FC%DFe")?.parameters["title"] == "Grüße")
    }

    @Test func rfc2231PlainContinuationsWithoutCharset() {
        #expect(contentType("text/plain; url*0=\"ftp://\"; url*1=\"example.org/\"")?.parameters["url"] == "ftp://example.org/")
    }

    @Test(arguments: ["", "text", "/plain", "text/", "; charset=x"])
    func invalidTypeIsNil(value: String) {
        #expect(contentType(value) == nil)
    }

    @Test func invalidContentTypeFallsBackToTextPlain() {
        let raw = Fixtures.crlf("Content-Type: garbage\n\nbody")
        let index = MessageIndex.parse(raw)
        #expect(index.root.contentType == "text/plain")
        #expect(index.root.parameters["charset"] == "us-ascii")
    }
}
