import Foundation
import Hummingbird
import HummingbirdTesting
import ReIDTestSupport
import XCTest
@testable import ReIDGallery
@testable import ReIDService

/// Deterministic fuzzing of multipart bodies: byte-mutated valid uploads and structure-aware
/// hostile ones (odd boundaries, missing header ends, floods of parts, duplicate and unknown
/// fields, non-images). The parser must either return parts or throw a 400 with a message; the
/// service must answer every body with 2xx or a JSON 4xx, never a 500 or a crash.
final class MultipartFuzzTests: ServiceTestCase {
    static let seed: UInt64 = 0x5EED_0F_F0_2026

    func validBody(_ random: inout FuzzRandom, boundary: String, image: Data) -> [UInt8] {
        var body = Data()
        for (name, value) in [("top", "\(random.int(1...20))"), ("rerank", random.pick(["true", "false"]))]
        where random.chance(0.5) {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"q.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += image + Data("\r\n--\(boundary)--\r\n".utf8)
        return [UInt8](body)
    }

    /// A hostile body built from pieces a parser can trip over.
    func structuredBody(_ random: inout FuzzRandom, boundary: String, image: Data) -> [UInt8] {
        let pieces: [[UInt8]] = [
            Array("--\(boundary)\r\n".utf8), Array("--\(boundary)--\r\n".utf8), Array("--\(boundary)".utf8),
            Array("\r\n".utf8), Array("\r\n\r\n".utf8), Array("\r\n--".utf8),
            Array("Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n".utf8),
            Array("Content-Disposition: form-data; name=\"\(random.pick(["time", "camera", "top", "x", "", "image"]))\"\r\n".utf8),
            Array("Content-Type: image/png\r\n".utf8), Array(random.pick(["inf", "nan", "-1", "1e999", "12", "\0"]).utf8),
            [UInt8](image), [UInt8](image.prefix(random.int(0...image.count))), random.bytes(random.int(0...64)),
            [UInt8](repeating: UInt8(ascii: "-"), count: random.int(1...200)),
        ]
        var body: [UInt8] = []
        if random.chance(0.2) {          // a well-formed flood of empty parts, around the part cap
            for _ in 0..<random.int(40...400) { body += Array("--\(boundary)\r\n\r\n\r\n".utf8) }
            return body + Array("--\(boundary)--\r\n".utf8)
        }
        for _ in 0..<random.int(1...40) { body += random.pick(pieces) }
        return body
    }

    func testFuzzedMultipartBodiesParseOrFailClearly() async throws {
        var random = FuzzRandom(seed: Self.seed)
        let image = try crop(3)
        let cases = 300 * FuzzReport.scale
        let started = Date()
        var errors = 0, accepted = 0
        var bodies: [(String, [UInt8])] = []
        for i in 0..<cases {
            let boundary = random.pick(["XyZ123", "a", String(repeating: "b", count: 70), "--", "q\"uote", "dash-_.ok"])
            let body = random.chance(0.5)
                ? random.mutate(validBody(&random, boundary: boundary, image: image), maxEdits: 6)
                : structuredBody(&random, boundary: boundary, image: image)
            do {
                let parts = try Multipart.parse(Data(body), boundary: boundary)
                XCTAssertLessThanOrEqual(parts.count, 80, "case \(i)")
                accepted += 1
            } catch let error as APIError {
                XCTAssertEqual(error.status, .badRequest, "case \(i)")
                XCTAssertFalse(error.message.isEmpty, "case \(i)")
                errors += 1
            }
            if i % 6 == 0 { bodies.append((boundary, body)) }
        }
        // A share of them through the service: 2xx or a JSON 4xx, never a 500.
        try await app().test(.router) { client in
            for (i, (boundary, body)) in bodies.enumerated() {
                var headers = self.auth
                headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
                let path = i % 2 == 0 ? "/v1/search" : "/v1/gallery"
                try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) { r in
                    XCTAssertLessThan(r.status.code, 500, "\(path) case \(i): \(self.errorMessage(r))")
                    if r.status.code >= 400 { XCTAssertFalse(self.errorMessage(r).isEmpty, "\(path) case \(i)") }
                }
            }
        }
        try FuzzReport.write(fuzzer: "multipart", cases: cases + bodies.count, errors: errors, accepted: accepted,
                             seconds: Date().timeIntervalSince(started), seed: Self.seed)
    }
}
