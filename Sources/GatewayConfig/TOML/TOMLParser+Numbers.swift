// Integers, floats and date-times; all start with a digit, a sign, "inf" or "nan".
extension TOMLParser {
    mutating func parseNumberOrDateTime() throws(TOMLError) -> TOMLValue {
        let start = index
        while let byte = peek(), Self.isNumberTokenByte(byte) { index += 1 }
        // A space may separate the date from the time: 1979-05-27 07:32:00Z
        if index - start == 10, Self.looksLikeDate(bytes[start..<index]), peek() == .space,
            let hour = peek(1), Self.isDigit(hour), let next = peek(2), Self.isDigit(next), peek(3) == UInt8(ascii: ":")
        {
            index += 1
            while let byte = peek(), Self.isNumberTokenByte(byte) { index += 1 }
        }
        let token = bytes[start..<index]
        if Self.looksLikeDate(token) || (token.count >= 3 && token[start + 2] == UInt8(ascii: ":")) {
            return .datetime(try parseDateTime(token))
        }
        return try parseNumber(token)
    }

    // integer = dec-int / hex-int / oct-int / bin-int
    // float = float-int-part ( exp / frac [ exp ] ) / special-float
    private func parseNumber(_ token: ArraySlice<UInt8>) throws(TOMLError) -> TOMLValue {
        let start = token.startIndex
        let text = String(decoding: token, as: UTF8.self)
        var body = token
        var negative = false
        if let sign = body.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        // special-float = [ minus / plus ] ( inf / nan )
        if body.elementsEqual("inf".utf8) { return .float(negative ? -.infinity : .infinity) }
        if body.elementsEqual("nan".utf8) { return .float(.nan) }
        guard let first = body.first, Self.isDigit(first) else {
            if let first = token.first, Self.isBareKeyByte(first), !Self.isDigit(first), first != UInt8(ascii: "-") {
                throw error("expected a value, found '\(text)'; strings must be quoted, as in \"\(text)\"", at: start)
            }
            throw error("invalid number \"\(text)\"", at: start)
        }
        // hex-int = hex-prefix HEXDIG *( HEXDIG / underscore HEXDIG ), and likewise oct and bin
        if first == UInt8(ascii: "0"), let prefix = body.dropFirst().first,
            let radix = [UInt8(ascii: "x"): 16, UInt8(ascii: "o"): 8, UInt8(ascii: "b"): 2][prefix]
        {
            if body.startIndex != start {
                throw error("a sign is not allowed on a hexadecimal, octal or binary integer", at: start)
            }
            return .integer(try parseRadixInteger(body.dropFirst(2), radix: radix, text: text))
        }
        return try parseDecimal(body, tokenStart: start, text: text)
    }

    private func parseRadixInteger(_ digits: ArraySlice<UInt8>, radix: Int, text: String) throws(TOMLError) -> Int64 {
        try checkDigits(digits, text: text) { Self.hexValue($0).map { Int($0) < radix } ?? false }
        var value: Int64 = 0
        for byte in digits where byte != UInt8(ascii: "_") {
            let (shifted, overflow) = value.multipliedReportingOverflow(by: Int64(radix))
            let (sum, overflow2) = shifted.addingReportingOverflow(Int64(Self.hexValue(byte) ?? 0))
            guard !overflow, !overflow2 else {
                throw error("the integer \(text) does not fit in 64 bits", at: digits.startIndex - 2)
            }
            value = sum
        }
        return value
    }

    // dec-int = [ minus / plus ] unsigned-dec-int
    // unsigned-dec-int = DIGIT / digit1-9 1*( DIGIT / underscore DIGIT )
    // frac = decimal-point zero-prefixable-int
    // exp = "e" float-exp-part ; float-exp-part = [ minus / plus ] zero-prefixable-int
    private func parseDecimal(_ body: ArraySlice<UInt8>, tokenStart start: Int, text: String) throws(TOMLError) -> TOMLValue {
        var cursor = body.startIndex
        func scanDigits() -> ArraySlice<UInt8> {
            let from = cursor
            while cursor < body.endIndex, Self.isDigit(body[cursor]) || body[cursor] == UInt8(ascii: "_") { cursor += 1 }
            return body[from..<cursor]
        }
        let integerPart = scanDigits()
        try checkDigits(integerPart, text: text, isDigit: Self.isDigit)
        if integerPart.count > 1, integerPart.first == UInt8(ascii: "0") {
            throw error("leading zeros are not allowed in the number \(text)", at: integerPart.startIndex)
        }
        var isFloat = false
        if cursor < body.endIndex, body[cursor] == .dot {
            cursor += 1
            isFloat = true
            try checkDigits(scanDigits(), text: text, after: "the decimal point", isDigit: Self.isDigit)
        }
        if cursor < body.endIndex, body[cursor] | 0x20 == UInt8(ascii: "e") {
            cursor += 1
            isFloat = true
            if cursor < body.endIndex, body[cursor] == UInt8(ascii: "+") || body[cursor] == UInt8(ascii: "-") { cursor += 1 }
            try checkDigits(scanDigits(), text: text, after: "the exponent", isDigit: Self.isDigit)
        }
        guard cursor == body.endIndex else {
            throw error("invalid number \(text): unexpected '\(Character(Unicode.Scalar(body[cursor])))'", at: cursor)
        }
        let cleaned = String(decoding: bytes[start..<body.endIndex].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if isFloat {
            guard let value = Double(cleaned), value.isFinite else {
                throw error("the float \(text) is out of range", at: start)
            }
            return .float(value)
        }
        guard let value = Int64(cleaned) else {
            throw error("the integer \(text) does not fit in 64 bits (\(Int64.min) to \(Int64.max))", at: start)
        }
        return .integer(value)
    }

    /// Digits with single underscores between them, at least one digit.
    private func checkDigits(
        _ digits: ArraySlice<UInt8>, text: String, after place: String? = nil, isDigit: (UInt8) -> Bool
    ) throws(TOMLError) {
        guard !digits.isEmpty else {
            throw error("invalid number \(text): expected digits\(place.map { " after \($0)" } ?? "")", at: digits.startIndex)
        }
        var previousWasDigit = false
        for position in digits.indices {
            let byte = digits[position]
            if byte == UInt8(ascii: "_") {
                let nextIsDigit = position + 1 < digits.endIndex && isDigit(digits[position + 1])
                guard previousWasDigit, nextIsDigit else {
                    throw error("invalid number \(text): an underscore must stand between two digits", at: position)
                }
                previousWasDigit = false
            } else if isDigit(byte) {
                previousWasDigit = true
            } else {
                throw error("invalid number \(text): unexpected '\(Character(Unicode.Scalar(byte)))'", at: position)
            }
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isNumberTokenByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == .dot || byte == UInt8(ascii: ":")
    }

    static func looksLikeDate(_ token: ArraySlice<UInt8>) -> Bool {
        guard token.count >= 10 else { return false }
        let s = token.startIndex
        return (0..<10).allSatisfy { offset in
            offset == 4 || offset == 7 ? token[s + offset] == UInt8(ascii: "-") : isDigit(token[s + offset])
        }
    }
}
