/// Where a browser may be sent after signing in: only a path of this server. An open
/// redirect would let a link to the sign-in page send users elsewhere afterwards.
enum LocalRedirect {
    /// `next` when it is a local path, else `/`. Refused: anything not starting with one
    /// `/` (`//host` and `/\host` are other hosts to browsers), backslashes, and control
    /// characters and spaces (browsers drop tabs and newlines, so `/\t/host` is `//host`).
    static func target(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"),
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "\\" }) else {
            return "/"
        }
        return next
    }
}
