import Foundation

/// Test messages built in code, with CRLF line endings.
enum Fixtures {
    /// `text` with every "\n" turned into CRLF.
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    static func string(_ bytes: [UInt8]?) -> String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    static let plain = crlf("""
        From: Alice Example <alice@example.com>
        To: Bob <bob@example.org>, carol@example.net
        Subject: Lunch
        Date: Tue, 14 Jun 2022 10:00:00 +0200
        Message-ID: <lunch-1@example.com>
        In-Reply-To: <earlier@example.org>
        References: <root@example.org>
         <earlier@example.org>

        Shall we meet at noon?
        See you.

        """)

    static let alternative = crlf("""
        From: alice@example.com
        Subject: Alternative
        MIME-Version: 1.0
        Content-Type: multipart/alternative; boundary="alt"

        This is the preamble.
        --alt
        Content-Type: text/plain; charset=utf-8

        Hello plain
        --alt
        Content-Type: text/html; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        <p>Hello =3D html</p>
        --alt--
        This is the epilogue.

        """)

    /// "%PDF-1.4 test" in base64.
    static let pdfBase64 = Data("%PDF-1.4 test".utf8).base64EncodedString()

    static let mixedWithAttachment = crlf("""
        From: "Müller, Jörg" <joerg@example.de>
        To: team@example.com
        Subject: =?iso-8859-1?Q?M=FCller?= report
        Content-Type: multipart/mixed; boundary=outer

        --outer
        Content-Type: text/plain; charset=us-ascii
        Content-Language: en, de

        See attached.
        --outer
        Content-Type: application/pdf; name*=utf-8''M%C3%BCller.pdf
        Content-Transfer-Encoding: base64
        Content-Disposition: attachment; filename*=utf-8''M%C3%BCller.pdf
        Content-ID: <pdf1@example.de>
        Content-Description: The report

        \(pdfBase64)
        --outer--

        """)

    static let nested = crlf("""
        From: alice@example.com
        Subject: Nested
        Content-Type: multipart/mixed; boundary="b1"

        --b1
        Content-Type: multipart/alternative; boundary="b2"

        --b2
        Content-Type: text/plain

        inner plain
        --b2
        Content-Type: text/html

        <b>inner html</b>
        --b2--

        --b1
        Content-Type: image/png
        Content-Transfer-Encoding: base64

        iVBORw0KGgo=
        --b1--

        """)

    static let forwarded = crlf("""
        From: alice@example.com
        To: bob@example.org
        Subject: Fwd: Quarterly
        Content-Type: multipart/mixed; boundary="fwd"

        --fwd
        Content-Type: text/plain

        Forwarding this.
        --fwd
        Content-Type: message/rfc822

        From: Carol <carol@example.net>
        To: alice@example.com
        Subject: Quarterly
        Date: 1 Jan 2022 09:00 GMT
        Content-Type: multipart/alternative; boundary="in"

        --in
        Content-Type: text/plain

        numbers
        --in
        Content-Type: text/html

        <i>numbers</i>
        --in--

        --fwd--

        """)

    static let latin1QuotedPrintable = crlf("""
        From: hans@example.de
        Subject: =?utf-8?B?R3LDvMOfZQ==?=
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: quoted-printable

        Sch=F6ne Gr=FC=DFe aus M=FCnchen, mit einem sehr langen Satz, der umbroch=
        en wird.

        """)
}
