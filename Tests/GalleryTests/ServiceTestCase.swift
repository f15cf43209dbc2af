import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import ReIDGallery
@testable import ReIDService
import Torch

/// A service over a 10-crop colour-histogram gallery, with helpers to build requests; the base of
/// the in-process API test classes.
class ServiceTestCase: XCTestCase {
    var fixture: GalleryFixture!
    var service: GalleryService!
    let token = "test-token-123"
    var auth: HTTPFields { [.authorization: "Bearer \(token)"] }
    var uploads: String { fixture.root + "/uploads" }

    /// Settings the tests' service runs with; subclasses change limits here.
    func settings() -> GalleryService.Settings {
        .init(uploadsDirectory: fixture.root + "/uploads", maxUploadBytes: 64 * 1024)
    }

    override func setUpWithError() throws {
        fixture = try GalleryFixture()
        try fixture.writeCrops(10)
        let (index, embedder) = try fixture.buildIndex()
        service = try GalleryService(index: index, embedder: embedder, token: token, settings: settings())
    }
    override func tearDown() { fixture.remove() }

    func app() -> some ApplicationProtocol { Application(router: service.router()) }

    static func multipart(_ image: Data, fields: [String: String] = [:], boundary: String = "XyZ123") -> (HTTPFields, ByteBuffer) {
        var body = Data()
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"q.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += image
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], ByteBuffer(bytes: body))
    }

    /// A multipart request with the bearer token.
    func authorized(_ image: Data, fields: [String: String] = [:]) -> (HTTPFields, ByteBuffer) {
        var (headers, body) = Self.multipart(image, fields: fields)
        headers[.authorization] = "Bearer \(token)"
        return (headers, body)
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
        return try XCTUnwrap(object as? [String: Any], "not a JSON object")
    }

    /// The `error.message` of a JSON error answer ("" when there is none).
    func errorMessage(_ response: TestResponse) -> String {
        ((try? json(response))?["error"] as? [String: Any])?["message"] as? String ?? ""
    }

    func crop(_ i: Int) throws -> Data { try GalleryFixture.crop(seed: i).encoded(as: ".png") }

    /// A PNG signature and IHDR chunk declaring `width`×`height`, followed by a few bytes of junk
    /// image data: a decompression bomb's header, without the megabytes behind it.
    static func pngHeader(width: UInt32, height: UInt32) -> Data {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        bytes += Array("IHDR".utf8)
        for v in [width, height] { bytes += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        bytes += [8, 2, 0, 0, 0, 0, 0, 0, 0]            // 8-bit RGB, CRC (wrong, never checked)
        bytes += [0, 0, 0, 16] + Array("IDAT".utf8) + [UInt8](repeating: 0x78, count: 20)
        return Data(bytes)
    }
}
