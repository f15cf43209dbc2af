import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import ReIDGallery
@testable import ReIDService
import Torch

/// What a hostile or careless client sends: image bombs, non-finite and out-of-range fields,
/// floods of multipart parts, and what deletion must take with it.
final class ServiceHardeningTests: ServiceTestCase {
    override func settings() -> GalleryService.Settings {
        var s = GalleryService.Settings(uploadsDirectory: fixture.root + "/uploads", maxUploadBytes: 4 << 20)
        s.maxPixels = 1_000_000
        s.maxRequestPixels = 1_500_000
        return s
    }

    func testAnImageDeclaringTooManyPixelsIs413BeforeDecoding() async throws {
        let bomb = Self.pngHeader(width: 30000, height: 30000)
        let (h, b) = authorized(bomb)
        let small = try crop(1)
        // Two 1000×1000 declarations pass one by one but not together (1.5 MP per request here).
        var twice = Data()
        for _ in 0..<2 {
            twice += Data("--B\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n".utf8)
            twice += Self.pngHeader(width: 1000, height: 1000) + Data("\r\n".utf8)
        }
        twice += Data("--B--\r\n".utf8)
        var th = auth
        th[.contentType] = "multipart/form-data; boundary=B"
        try await app().test(.router) { client in
            for path in ["/v1/search", "/v1/gallery"] {
                try await client.execute(uri: path, method: .post, headers: h, body: b) { r in
                    XCTAssertEqual(r.status, .contentTooLarge, path)
                    XCTAssertTrue(self.errorMessage(r).contains("30000x30000"), self.errorMessage(r))
                }
            }
            var raw = self.auth
            raw[.contentType] = "image/png"
            try await client.execute(uri: "/v1/search", method: .post, headers: raw, body: ByteBuffer(bytes: bomb)) { r in
                XCTAssertEqual(r.status, .contentTooLarge)
            }
            try await client.execute(uri: "/v1/gallery", method: .post, headers: th, body: ByteBuffer(bytes: twice)) { r in
                XCTAssertEqual(r.status, .contentTooLarge)
                XCTAssertTrue(self.errorMessage(r).contains("together"), self.errorMessage(r))
            }
            let (sh, sb) = self.authorized(small)
            try await client.execute(uri: "/v1/search", method: .post, headers: sh, body: sb) { r in XCTAssertEqual(r.status, .ok) }
        }
        XCTAssertEqual(service.index.count, 10)
    }

    func testEveryFormFieldIsValidatedWithA400NamingIt() async throws {
        let image = try crop(4)
        let bad: [(String, [String: String], String)] = [
            ("/v1/gallery", ["time": "inf"], "time"), ("/v1/gallery", ["time": "nan"], "time"),
            ("/v1/gallery", ["time": "-5"], "time"), ("/v1/gallery", ["time": "1e300"], "time"),
            ("/v1/gallery", ["camera": "-1"], "camera"), ("/v1/gallery", ["camera": "two"], "camera"),
            ("/v1/gallery", ["camera": "99999999999999999999"], "camera"),
            ("/v1/gallery", ["track_id": "-3"], "track_id"), ("/v1/gallery", ["track_id": "1.5"], "track_id"),
            ("/v1/gallery", ["camer": "1"], "camer"),
            ("/v1/search", ["top": "0"], "top"), ("/v1/search", ["top": "101"], "top"),
            ("/v1/search", ["rerank": "perhaps"], "rerank"), ("/v1/search", ["camera_exclude": "-1"], "camera_exclude"),
            ("/v1/search", ["time": "1"], "time"),
        ]
        try await app().test(.router) { client in
            for (path, fields, name) in bad {
                let (h, b) = self.authorized(image, fields: fields)
                try await client.execute(uri: path, method: .post, headers: h, body: b) { r in
                    XCTAssertEqual(r.status, .badRequest, "\(path) \(fields)")
                    XCTAssertTrue(self.errorMessage(r).contains(name), "\(fields): \(self.errorMessage(r))")
                }
            }
            // The same fields in range are accepted.
            let (h, b) = self.authorized(image, fields: ["time": "1700000000.5", "camera": "2", "track_id": "7"])
            try await client.execute(uri: "/v1/gallery", method: .post, headers: h, body: b) { r in XCTAssertEqual(r.status, .created) }
            try await client.execute(uri: "/v1/search?top=3&rerank=no&camera_exclude=1", method: .post,
                                     headers: self.authorized(image).0, body: self.authorized(image).1) { r in
                XCTAssertEqual(r.status, .ok)
            }
        }
        XCTAssertEqual(service.index.count, 11, "only the valid upload was added")
    }

    func testARowWithANonFiniteTimeDoesNotBreakSearch() async throws {
        // A row written before times were checked: bypass the store's own check with plain SQL.
        try await service.index.store.pool.write { db in try db.execute(sql: "UPDATE items SET time = 9e999") }   // +inf
        let (h, b) = authorized(try crop(2), fields: ["top": "10"])
        try await app().test(.router) { client in
            try await client.execute(uri: "/v1/search", method: .post, headers: h, body: b) { r in
                XCTAssertEqual(r.status, .ok, self.errorMessage(r))
                let results = try XCTUnwrap(try self.json(r)["results"] as? [[String: Any]])
                XCTAssertEqual(results.count, 10)
                XCTAssertTrue(results.allSatisfy { $0["time"] is NSNull || $0["time"] == nil })
            }
            try await client.execute(uri: "/v1/gallery/1", method: .get, headers: self.auth) { r in
                XCTAssertEqual(r.status, .ok, self.errorMessage(r))
                XCTAssertTrue(try self.json(r)["time"] is NSNull)
            }
        }
        XCTAssertThrowsError(try service.index.add([GalleryItem(path: "/x.png", camera: 0, time: .nan, feature: [Float](repeating: 0.1, count: service.index.identity.dimension))]))
    }

    func testPartFloodsAreRefusedWithA400() async throws {
        // 300,000 empty parts (2.7 MB): refused at the part cap, not parsed to the end.
        var flood = Data()
        flood.reserveCapacity(3 << 20)
        let part = Data("--B\r\n\r\n\r\n".utf8)
        for _ in 0..<300_000 { flood += part }
        flood += Data("--B--\r\n".utf8)
        XCTAssertThrowsError(try Multipart.parse(flood, boundary: "B")) { error in
            XCTAssertTrue((error as? APIError)?.message.contains("more than 80 parts") ?? false, "\(error)")
        }
        // Below the cap, parts without headers are read as empty parts.
        let few = Data(String(repeating: "--B\r\n\r\n\r\n", count: 3).utf8) + Data("--B--\r\n".utf8)
        XCTAssertEqual(try Multipart.parse(few, boundary: "B").map(\.data.count), [0, 0, 0])
        // 65 image parts: over the image cap.
        var many = Data()
        let png = try crop(5)
        for _ in 0..<65 {
            many += Data("--B\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n".utf8) + png + Data("\r\n".utf8)
        }
        many += Data("--B--\r\n".utf8)
        var h = auth
        h[.contentType] = "multipart/form-data; boundary=B"
        try await app().test(.router) { client in
            try await client.execute(uri: "/v1/gallery", method: .post, headers: h, body: ByteBuffer(bytes: many)) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertTrue(self.errorMessage(r).contains("at most 64"), self.errorMessage(r))
            }
        }
        XCTAssertEqual(service.index.count, 10)
    }

    func testDeletingAnItemDeletesItsStoredCropAndOrphansAreSweptAtStart() async throws {
        let (h, b) = authorized(try crop(6), fields: ["camera": "1"])
        let id: Int64 = try await app().test(.router) { client in
            try await client.execute(uri: "/v1/gallery", method: .post, headers: h, body: b) { r in
                XCTAssertEqual(r.status, .created)
                let added = try XCTUnwrap(try self.json(r)["added"] as? [[String: Any]])
                return Int64(try XCTUnwrap(added.first?["id"] as? Int))
            }
        }
        let stored = try XCTUnwrap(try service.index.store.item(id: id)).path
        XCTAssertTrue(FileManager.default.fileExists(atPath: stored))
        let indexedCrop = try XCTUnwrap(try service.index.store.item(id: 1)).path
        try await app().test(.router) { client in
            for deleted in [id, 1] {
                try await client.execute(uri: "/v1/gallery/\(deleted)", method: .delete, headers: self.auth) { r in
                    XCTAssertEqual(r.status, .ok)
                }
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: stored), "the uploaded crop outlived its item")
        XCTAssertTrue(FileManager.default.fileExists(atPath: indexedCrop), "a crop from the user's own folder was deleted")

        // A crash can leave a stored crop with no row; the next start removes it, and nothing else.
        let orphan = uploads + "/" + UUID().uuidString.lowercased() + ".png"
        let notes = uploads + "/notes.txt"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: orphan))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: notes))
        _ = try GalleryService(index: service.index, embedder: service.embedder, token: token, settings: settings())
        XCTAssertFalse(FileManager.default.fileExists(atPath: orphan))
        XCTAssertTrue(FileManager.default.fileExists(atPath: notes))
    }

    func testPageHeadersForbidInlineScriptAndThePageNeverWritesUntrustedHTML() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/?item=%3Cimg%20src%3Dx%3E", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let csp = r.headers[.contentSecurityPolicy] ?? ""
                XCTAssertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp)
                XCTAssertEqual(r.headers[.xContentTypeOptions], "nosniff")
                XCTAssertEqual(r.headers[HTTPField.Name("Referrer-Policy")!], "no-referrer")
                let html = String(buffer: r.body)
                XCTAssertFalse(html.contains("<script>"), "inline script in the page")
                XCTAssertFalse(html.contains("<img src=x>"), "the query string was echoed into the page")
            }
            try await client.execute(uri: "/app.js", method: .get) { r in
                let js = String(buffer: r.body)
                XCTAssertFalse(js.contains("innerHTML"), "the script writes HTML")
                XCTAssertFalse(js.contains("localStorage"), "the script persists the token")
                XCTAssertEqual(r.headers[.xContentTypeOptions], "nosniff")
            }
        }
    }
}
