import Foundation
import XCTest
import ReIDTestSupport
@testable import ReIDGallery
import Torch

/// A temporary folder of small coloured crops in Market-1501 names, and a gallery built from
/// them with the learning-free colour-histogram model (no weights, fast, deterministic).
struct GalleryFixture {
    let root: String
    var images: String { root + "/images" }
    var db: String { root + "/gallery.sqlite" }

    init() throws {
        root = NSTemporaryDirectory() + "reid-gallery-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// A 64×32 image whose colours depend on `seed`: two horizontal bands of distinct colours.
    static func crop(seed: Int) -> Image {
        var pixels = [UInt8](repeating: 0, count: 64 * 32 * 3)
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next() -> UInt8 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        let top = (next(), next(), next()), bottom = (next(), next(), next())
        for y in 0..<64 {
            for x in 0..<32 {
                let c = y < 32 ? top : bottom
                let i = (y * 32 + x) * 3
                pixels[i] = c.0; pixels[i + 1] = c.1; pixels[i + 2] = c.2
            }
        }
        return Image(height: 64, width: 32, pixels: pixels)
    }

    /// Writes `count` crops named `{pid}_c{cam}s1_…png` into `folder` (default: images/).
    @discardableResult
    func writeCrops(_ count: Int, first: Int = 0, folder: String? = nil) throws -> [String] {
        let dir = folder ?? images
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return try (first..<(first + count)).map { i in
            let path = dir + String(format: "/%04d_c%ds1_%06d_00.png", i, i % 3 + 1, i)
            try Self.crop(seed: i).write(to: path)
            return path
        }
    }

    /// A gallery of the crops in images/ (built in-process).
    func buildIndex() throws -> (GalleryIndex, GalleryEmbedder) {
        let store = try GalleryStore(path: db, create: true)
        try store.setIdentity(GalleryModelIdentity.fingerprint(model: "color-histogram", weights: nil, height: 64, width: 32))
        let index = try GalleryIndex(store: store)
        let embedder = try GalleryEmbedder(identity: index.identity, traced: false)
        var items = try GalleryScanner.scan(images)
        let features = try embedder.features(paths: items.map(\.path))
        for i in items.indices { items[i].feature = features[i] }
        try index.add(items)
        return (index, embedder)
    }
}
