import Foundation

/// One part of a multipart/form-data body: its form field name, optional file name and content
/// type, and bytes.
struct MultipartPart: Sendable {
    var name: String
    var filename: String?
    var contentType: String?
    var data: Data

    var text: String { String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// A multipart/form-data reader (RFC 7578) for a body already in memory, in one left-to-right
/// pass: each delimiter is searched for once from where the last one ended, so the work is
/// linear in the body (a body of 300,000 empty parts used to take 30 s with repeated searches).
/// The number of parts is capped; past the cap the request is refused before more is read.
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

    /// Longest part header block accepted (Content-Disposition and Content-Type fit easily).
    static let maxHeaderBytes = 8 * 1024

    /// The parts of `body`; throws `APIError(.badRequest)` when it is not well formed or has more
    /// than `maxParts` parts.
    static func parse(_ body: Data, boundary: String, maxParts: Int = 80) throws -> [MultipartPart] {
        // RFC 2046: 1–70 characters. A longer one only makes each search slower.
        guard (1...70).contains(boundary.utf8.count) else {
            throw APIError(.badRequest, "malformed multipart body: the boundary must have 1 to 70 characters")
        }
        let delimiter = Array(("--" + boundary).utf8)
        let closing = [13, 10] + delimiter                        // CRLF "--" boundary
        // Reads the body in place: no copy of an upload of up to --max-upload-mb.
        return try body.withUnsafeBytes { raw -> [MultipartPart] in
            let buffer = raw.bindMemory(to: UInt8.self)
            guard var cursor = find(delimiter, in: buffer, from: 0) else {
                throw APIError(.badRequest, "malformed multipart body: boundary \(boundary) not found")
            }
            cursor += delimiter.count
            var parts: [MultipartPart] = []
            while true {
                // After a delimiter: "--" ends the body, CRLF starts a part.
                if starts(buffer, at: cursor, with: [45, 45]) { break }
                guard starts(buffer, at: cursor, with: [13, 10]) else {
                    throw APIError(.badRequest, "malformed multipart body after a boundary")
                }
                guard parts.count < maxParts else {
                    throw APIError(.badRequest, "the multipart body has more than \(maxParts) parts; send fewer per request")
                }
                let headersStart = cursor + 2
                // A part without headers: the empty line follows the delimiter's CRLF at once.
                if starts(buffer, at: headersStart, with: [13, 10]) {
                    guard let next = find(closing, in: buffer, from: headersStart + 2) else {
                        throw APIError(.badRequest, "malformed multipart body: a part is not closed by the boundary")
                    }
                    parts.append(MultipartPart(name: "", filename: nil, contentType: nil,
                                               data: Data(UnsafeBufferPointer(rebasing: buffer[(headersStart + 2)..<next]))))
                    cursor = next + closing.count
                    continue
                }
                let headerWindow = min(buffer.count, headersStart + maxHeaderBytes + 4)
                guard let headersEnd = find([13, 10, 13, 10], in: UnsafeBufferPointer(rebasing: buffer[..<headerWindow]),
                                            from: headersStart) else {
                    throw APIError(.badRequest, "malformed multipart body: a part has no header end within \(maxHeaderBytes) bytes")
                }
                let contentStart = headersEnd + 4
                guard let next = find(closing, in: buffer, from: contentStart) else {
                    throw APIError(.badRequest, "malformed multipart body: a part is not closed by the boundary")
                }
                let headers = String(decoding: UnsafeBufferPointer(rebasing: buffer[headersStart..<headersEnd]), as: UTF8.self)
                var part = MultipartPart(name: "", filename: nil, contentType: nil,
                                         data: Data(UnsafeBufferPointer(rebasing: buffer[contentStart..<next])))
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
                cursor = next + closing.count
            }
            return parts
        }
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

    static func starts(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int, with prefix: [UInt8]) -> Bool {
        guard offset + prefix.count <= buffer.count else { return false }
        for i in 0..<prefix.count where buffer[offset + i] != prefix[i] { return false }
        return true
    }

    /// The first offset ≥ `start` where `needle` occurs: memchr for its first byte, then a compare.
    /// At most needle.count (≤ 74) compares per position, so linear in the bytes searched.
    static func find(_ needle: [UInt8], in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = buffer.baseAddress, !needle.isEmpty else { return nil }
        var offset = start
        let last = buffer.count - needle.count
        while offset <= last {
            guard let hit = memchr(base + offset, Int32(needle[0]), last - offset + 1) else { return nil }
            let position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + position, needle, needle.count) == 0 { return position }
            offset = position + 1
        }
        return nil
    }
}
