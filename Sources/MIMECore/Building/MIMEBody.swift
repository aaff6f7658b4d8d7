/// A MIME body to build (RFC 2045–2046): UTF-8 text, a multipart of bodies, or an attachment.
public indirect enum MIMEBody: Hashable, Sendable {
    /// `text/<subtype>; charset=utf-8`, sent quoted-printable.
    case text(String, subtype: String = "plain")
    /// `multipart/<subtype>` (`alternative`, `mixed`, `related`).
    case multipart(subtype: String, parts: [MIMEBody])
    /// A file, sent base64 with `Content-Disposition: attachment`.
    case attachment(filename: String, contentType: String, data: [UInt8])
    /// A whole message inside this one (`message/rfc822`), kept as it is.
    case message([UInt8])
}
