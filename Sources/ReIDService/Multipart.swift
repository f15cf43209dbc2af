import Foundation

/// A minimal multipart/form-data reader (RFC 7578): the parts of a body already in memory, each
/// with its form field name, optional file name and content type, and bytes.
struct MultipartPart {
    var name: String
    var filename: String?
    var contentType: String?
    var data: Data

    var text: String { String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
}

enum Multipart {
    /// The boundary of a `multipart/form-data; boundary=…` content type, or nil.
    static func boundary(contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// The parts of `body`; throws `APIError(.badRequest)` when it is not well formed.
    static func parse(_ body: Data, boundary: String) throws -> [MultipartPart] {
        let delimiter = Data(("--" + boundary).utf8)
        let crlf = Data("\r\n".utf8), headerEnd = Data("\r\n\r\n".utf8)
        guard var cursor = body.range(of: delimiter)?.upperBound else {
            throw APIError(.badRequest, "malformed multipart body: boundary \(boundary) not found")
        }
        var parts: [MultipartPart] = []
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard body[cursor...].starts(with: crlf) else { throw APIError(.badRequest, "malformed multipart body after a boundary") }
            let headersStart = cursor + 2
            guard let headersRange = body.range(of: headerEnd, in: headersStart..<body.endIndex) else {
                throw APIError(.badRequest, "malformed multipart body: a part has no header end")
            }
            let contentStart = headersRange.upperBound
            guard let next = body.range(of: crlf + delimiter, in: contentStart..<body.endIndex) else {
                throw APIError(.badRequest, "malformed multipart body: a part is not closed by the boundary")
            }
            let headers = String(decoding: body[headersStart..<headersRange.lowerBound], as: UTF8.self)
            var part = MultipartPart(name: "", filename: nil, contentType: nil, data: Data(body[contentStart..<next.lowerBound]))
            for line in headers.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    part.name = parameter("name", in: line) ?? ""
                    part.filename = parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            parts.append(part)
            cursor = next.upperBound
        }
        return parts
    }

    /// `name="value"` from a Content-Disposition line.
    static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";") {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == key {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
