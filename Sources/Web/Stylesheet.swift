import Hummingbird

/// The pages' one stylesheet, served at a path that changes with its content so that
/// browsers may keep it: the Content-Security-Policy allows no inline style element.
enum Stylesheet {
    static let path = "/assets/crmgate-\(fingerprint).css"

    static let response: Response = {
        var headers: HTTPFields = [.contentType: "text/css; charset=utf-8"]
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: PageLayout.stylesheet)))
    }()

    /// FNV-1a of the stylesheet, in hex: enough to tell versions apart.
    private static let fingerprint: String = {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in PageLayout.stylesheet.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }()
}

/// The pages' icon, linked from every page so that browsers do not ask for a
/// `/favicon.ico` the server does not have.
enum PageIcon {
    static let path = "/assets/crmgate-icon.svg"

    static let response: Response = {
        let svg = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2457c5"/><path d="M11 5.2A4 4 0 1 0 11 10.8" fill="none" stroke="#fff" stroke-width="2"/></svg>"##
        var headers: HTTPFields = [.contentType: "image/svg+xml"]
        headers[.cacheControl] = "public, max-age=86400"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: svg)))
    }()
}
