import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import ReIDGallery
@testable import ReIDService
import Torch

/// The HTTP API in-process (Hummingbird's router test client): auth, limits, bad uploads, and
/// search/add/delete consistency.
final class ServiceAPITests: ServiceTestCase {
    func testHealthIsOpenAndEverythingElseNeedsTheToken() async throws {
        let (headers, body) = Self.multipart(try crop(1))
        try await app().test(.router) { client in
            try await client.execute(uri: "/v1/health", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(try self.json(r)["items"] as? Int, 10)
            }
            try await client.execute(uri: "/v1/search", method: .post, headers: headers, body: body) { r in
                XCTAssertEqual(r.status, .unauthorized)
                XCTAssertTrue((try self.json(r)["error"] as? [String: Any])?["message"] as? String ?? "" != "")
            }
            var wrong = headers
            wrong[.authorization] = "Bearer not-the-token"
            try await client.execute(uri: "/v1/search", method: .post, headers: wrong, body: body) { r in
                XCTAssertEqual(r.status, .unauthorized)
            }
            wrong[.authorization] = "Basic \(self.token)"
            try await client.execute(uri: "/v1/gallery/1/image", method: .get, headers: wrong) { r in
                XCTAssertEqual(r.status, .unauthorized)
            }
            try await client.execute(uri: "/metrics", method: .get) { r in XCTAssertEqual(r.status, .unauthorized) }
            try await client.execute(uri: "/v1/gallery/1", method: .delete) { r in XCTAssertEqual(r.status, .unauthorized) }
            try await client.execute(uri: "/metrics", method: .get, headers: self.auth) { r in
                XCTAssertEqual(r.status, .ok)
                let text = String(buffer: r.body)
                XCTAssertTrue(text.contains("reid_gallery_items 10"), text)
                XCTAssertTrue(text.contains("status=\"401\""), text)
                XCTAssertTrue(text.contains("reid_embed_passes_total ") && text.contains("reid_embed_images_total "), text)
            }
            // Paths the service does not serve share one label, however many there are.
            for probe in ["/no/such/path", "/v2/anything", "/v1/gallery/7/other"] {
                try await client.execute(uri: probe, method: .get, headers: self.auth) { r in
                    XCTAssertEqual(r.status, .notFound)
                }
            }
            try await client.execute(uri: "/metrics", method: .get, headers: self.auth) { r in
                let text = String(buffer: r.body)
                XCTAssertTrue(text.contains("route=\"GET unmatched\",status=\"404\"} 3"), text)
                XCTAssertFalse(text.contains("/no/such/path"), text)
                XCTAssertTrue(text.contains("route=\"DELETE /v1/gallery/{id}\""), text)
            }
        }
    }

    func testOversizedUploadAndNonImagesAre4xxJSON() async throws {
        let big = Data((0..<(80 * 1024)).map { UInt8($0 % 256) })
        let (headers, body) = Self.multipart(big)
        let (textHeaders, textBody) = Self.multipart(Data("this is not an image".utf8))
        try await app().test(.router) { client in
            var h = headers
            h[.authorization] = "Bearer \(self.token)"
            try await client.execute(uri: "/v1/search", method: .post, headers: h, body: body) { r in
                XCTAssertEqual(r.status, .contentTooLarge)
                XCTAssertNotNil(try self.json(r)["error"])
            }
            var t = textHeaders
            t[.authorization] = "Bearer \(self.token)"
            for path in ["/v1/search", "/v1/gallery"] {
                try await client.execute(uri: path, method: .post, headers: t, body: textBody) { r in
                    XCTAssertEqual(r.status, .unsupportedMediaType, path)
                    let message = (try self.json(r)["error"] as? [String: Any])?["message"] as? String ?? ""
                    XCTAssertTrue(message.contains("not a decodable image"), message)
                }
            }
            // A raw (non-multipart) body that is not an image, an empty body, a bad top-k.
            try await client.execute(uri: "/v1/search", method: .post, headers: self.auth, body: ByteBuffer(string: "GIF89a-nope")) { r in
                XCTAssertEqual(r.status, .unsupportedMediaType)
            }
            try await client.execute(uri: "/v1/search", method: .post, headers: self.auth) { r in
                XCTAssertEqual(r.status, .badRequest)
            }
            let (qh, qb) = Self.multipart(try self.crop(2), fields: ["top": "many"])
            var q = qh
            q[.authorization] = "Bearer \(self.token)"
            try await client.execute(uri: "/v1/search", method: .post, headers: q, body: qb) { r in
                XCTAssertEqual(r.status, .badRequest)
            }
            try await client.execute(uri: "/v1/gallery/abc", method: .delete, headers: self.auth) { r in
                XCTAssertEqual(r.status, .badRequest)
            }
        }
        XCTAssertEqual(service.index.count, 10, "a rejected upload must not change the gallery")
    }

    func testSearchFollowsDeletionAndAddition() async throws {
        let (headers, body) = Self.multipart(try crop(3), fields: ["top": "3"])
        var h = headers
        h[.authorization] = "Bearer \(token)"
        try await app().test(.router) { client in
            let firstID: Int64 = try await client.execute(uri: "/v1/search", method: .post, headers: h, body: body) { r in
                XCTAssertEqual(r.status, .ok)
                let results = try XCTUnwrap(try self.json(r)["results"] as? [[String: Any]])
                XCTAssertEqual(results.count, 3)
                XCTAssertEqual(results.first?["distance"] as? Double ?? 1, 0, accuracy: 1e-4)
                return Int64(try XCTUnwrap(results.first?["id"] as? Int))
            }
            try await client.execute(uri: "/v1/gallery/\(firstID)/image", method: .get, headers: self.auth) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "image/png")
                XCTAssertNoThrow(try Image(encoded: Data(r.body.readableBytesView)))
            }
            try await client.execute(uri: "/v1/gallery/\(firstID)", method: .delete, headers: self.auth) { r in
                XCTAssertEqual(r.status, .ok)
            }
            try await client.execute(uri: "/v1/gallery/\(firstID)", method: .delete, headers: self.auth) { r in
                XCTAssertEqual(r.status, .notFound)
            }
            try await client.execute(uri: "/v1/gallery/\(firstID)/image", method: .get, headers: self.auth) { r in
                XCTAssertEqual(r.status, .notFound)
            }
            try await client.execute(uri: "/v1/search", method: .post, headers: h, body: body) { r in
                let results = try XCTUnwrap(try self.json(r)["results"] as? [[String: Any]])
                XCTAssertEqual(results.count, 3)
                XCTAssertFalse(results.contains { ($0["id"] as? Int).map(Int64.init) == firstID }, "a deleted item was returned")
                XCTAssertGreaterThan(results.first?["distance"] as? Double ?? 0, 1e-3)
            }
            // Adding the crop back makes it the exact match again, under a new id.
            let (ah, ab) = Self.multipart(try self.crop(3), fields: ["camera": "2", "track_id": "5"])
            var a = ah
            a[.authorization] = "Bearer \(self.token)"
            let newID: Int = try await client.execute(uri: "/v1/gallery", method: .post, headers: a, body: ab) { r in
                XCTAssertEqual(r.status, .created)
                let added = try XCTUnwrap(try self.json(r)["added"] as? [[String: Any]])
                return try XCTUnwrap(added.first?["id"] as? Int)
            }
            try await client.execute(uri: "/v1/search", method: .post, headers: h, body: body) { r in
                let results = try XCTUnwrap(try self.json(r)["results"] as? [[String: Any]])
                XCTAssertEqual(results.first?["id"] as? Int, newID)
                XCTAssertEqual(results.first?["camera"] as? Int, 2)
                XCTAssertEqual(results.first?["track_id"] as? Int, 5)
            }
        }
    }

    func testConcurrentSearchesWhileTheGalleryChanges() async throws {
        let (headers, body) = Self.multipart(try crop(4), fields: ["top": "5"])
        var h = headers
        h[.authorization] = "Bearer \(token)"
        let adds = try (100..<112).map { try Self.multipart(try self.crop($0)) }
        try await app().test(.router) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<24 {
                    group.addTask {
                        try await client.execute(uri: "/v1/search", method: .post, headers: h, body: body) { $0.status }
                    }
                    if i < adds.count {
                        var a = adds[i].0
                        a[.authorization] = "Bearer \(self.token)"
                        let b = adds[i].1
                        group.addTask { try await client.execute(uri: "/v1/gallery", method: .post, headers: a, body: b) { $0.status } }
                    }
                    if i % 6 == 5 {
                        let id = i / 6 + 1
                        group.addTask {
                            try await client.execute(uri: "/v1/gallery/\(id)", method: .delete, headers: self.auth) { $0.status }
                        }
                    }
                }
                var statuses: [HTTPResponse.Status] = []
                for try await s in group { statuses.append(s) }
                XCTAssertTrue(statuses.allSatisfy { [.ok, .created].contains($0) }, "\(statuses)")
            }
        }
        XCTAssertEqual(service.index.count, 10 + 12 - 4)
        XCTAssertEqual(try service.index.store.count(), service.index.count)
    }

    func testWebPageAndOpenAPIDocument() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertTrue(String(buffer: r.body).contains("/app.js"))
            }
            try await client.execute(uri: "/app.js", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertTrue(String(buffer: r.body).contains("/v1/search"))
            }
            try await client.execute(uri: "/openapi.yaml", method: .get) { r in
                let text = String(buffer: r.body)
                for path in ["/v1/search:", "/v1/gallery:", "/v1/gallery/{id}:", "/v1/gallery/{id}/image:", "/v1/health:", "/metrics:"] {
                    XCTAssertTrue(text.contains(path), path)
                }
                // Every operation that takes a field or an id lists the 400 it answers bad ones with:
                // search, add, get, delete and the image of an item.
                XCTAssertEqual(text.components(separatedBy: "\"400\": { $ref").count - 1, 5, text)
                // rerank is declared as the words the server accepts, not a JSON boolean.
                XCTAssertTrue(text.contains("rerank: { $ref: \"#/components/schemas/Flag\" }"), text)
                XCTAssertTrue(text.contains("enum: [\"true\", \"false\", \"1\", \"0\", \"yes\", \"no\", \"on\", \"off\"]"), text)
            }
        }
    }
}
