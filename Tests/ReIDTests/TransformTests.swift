import Foundation
import XCTest
@testable import ReID
import Torch

final class TransformTests: XCTestCase {
    /// An image whose every pixel differs from its mirror and neighbours.
    func gradient(height: Int = 16, width: Int = 8) -> Image {
        var img = Image(height: height, width: width)
        for y in 0..<height {
            for x in 0..<width {
                let o = (y * width + x) * 3
                img.pixels[o] = UInt8(x * 255 / max(1, width - 1))
                img.pixels[o + 1] = UInt8(y * 255 / max(1, height - 1))
                img.pixels[o + 2] = UInt8((x * 37 + y * 11) % 256)
            }
        }
        return img
    }

    func testPipelineIsDeterministicForASeed() throws {
        var config = TransformConfig(height: 16, width: 8, padding: 2)
        config.colorJitter = .init(brightness: 0.3, contrast: 0.3, saturation: 0.3, hue: 0.1)
        config.erasing = .init(probability: 1, fill: .random)
        let pipeline = try TransformPipeline(config)
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
        let first = try pipeline.apply(gradient(), using: &a)
        XCTAssertEqual(first, try pipeline.apply(gradient(), using: &b))
        XCTAssertNotEqual(first, try pipeline.apply(gradient(), using: &c))
        XCTAssertEqual([first.channels, first.height, first.width], [3, 16, 8])
    }

    func testFlipTwiceIsTheIdentity() {
        let img = gradient()
        let once = RandomHorizontalFlip.flipped(img)
        XCTAssertNotEqual(once.pixels, img.pixels)
        XCTAssertEqual(Array(once.pixels[0..<3]), Array(img.pixels[(7 * 3)..<(8 * 3)]), "first pixel is the last of the row")
        XCTAssertEqual(RandomHorizontalFlip.flipped(once).pixels, img.pixels)
        var float = Normalize().apply(img)
        let original = float
        RandomHorizontalFlip.flip(&float)
        XCTAssertNotEqual(float, original)
        RandomHorizontalFlip.flip(&float)
        XCTAssertEqual(float, original)
        // p = 0 never flips, p = 1 always does.
        var rng = SeededRandom(seed: 1)
        XCTAssertEqual(try RandomHorizontalFlip(probability: 0).apply(img, using: &rng).pixels, img.pixels)
        XCTAssertEqual(try RandomHorizontalFlip(probability: 1).apply(img, using: &rng).pixels, once.pixels)
    }

    func testPadCropKeepsTheSizeAndShiftsTheContent() throws {
        let img = gradient()
        var rng = SeededRandom(seed: 3)
        for mode in [RandomPadCrop.Mode.constant(0), .reflect] {
            let t = RandomPadCrop(padding: 10, mode: mode)
            for _ in 0..<20 {
                let out = try t.apply(img, using: &rng)
                XCTAssertEqual([out.height, out.width, out.channels], [16, 8, 3])
            }
            XCTAssertEqual(t.shifted(img, dy: 0, dx: 0).pixels, img.pixels)
        }
        // Shifting by (2, 1): output (y, x) is input (y + 2, x + 1); outside is black or mirrored.
        let constant = RandomPadCrop(padding: 4).shifted(img, dy: 2, dx: 1)
        let reflect = RandomPadCrop(padding: 4, mode: .reflect).shifted(img, dy: -2, dx: 0)
        func px(_ i: Image, _ y: Int, _ x: Int) -> [UInt8] { Array(i.pixels[((y * i.width + x) * 3)..<((y * i.width + x) * 3 + 3)]) }
        XCTAssertEqual(px(constant, 0, 0), px(img, 2, 1))
        XCTAssertEqual(px(constant, 15, 7), [0, 0, 0])
        XCTAssertEqual(px(reflect, 0, 3), px(img, 2, 3), "row −2 mirrors row 2")
        XCTAssertEqual(px(reflect, 1, 3), px(img, 1, 3), "row −1 mirrors row 1")
        XCTAssertEqual(px(reflect, 2, 3), px(img, 0, 3))
    }

    func testErasingChangesOneRectangleOnly() {
        let erasing = RandomErasing(probability: 1)
        var rng = SeededRandom(seed: 9)
        for trial in 0..<30 {
            let original = Normalize().apply(gradient(height: 64, width: 32))
            var image = original
            erasing.apply(&image, using: &rng)
            var changed: [(Int, Int)] = []
            for y in 0..<64 { for x in 0..<32 where image[0, y, x] != original[0, y, x] { changed.append((y, x)) } }
            guard !changed.isEmpty else { XCTFail("trial \(trial): nothing erased with p = 1"); continue }
            let ys = changed.map(\.0), xs = changed.map(\.1)
            let rows = ys.min()!...ys.max()!, cols = xs.min()!...xs.max()!
            let h = rows.count, w = cols.count
            // Everything inside the bounding box of the changes is the fill (0 = the mean colour) in every channel…
            var notFilled = 0
            for c in 0..<3 {
                for y in rows { for x in cols where image[c, y, x] != 0 { notFilled += 1 } }
            }
            XCTAssertEqual(notFilled, 0)
            // …and nothing outside it changed.
            var outside = 0
            for c in 0..<3 {
                for y in 0..<64 {
                    for x in 0..<32 where !rows.contains(y) || !cols.contains(x) {
                        if image[c, y, x] != original[c, y, x] { outside += 1 }
                    }
                }
            }
            XCTAssertEqual(outside, 0)
            let area = Double(h * w) / Double(64 * 32)
            XCTAssertTrue((0.01...0.42).contains(area), "area fraction \(area)")
        }
        // p = 0 leaves the image alone.
        var image = Normalize().apply(gradient())
        let before = image
        RandomErasing(probability: 0).apply(&image, using: &rng)
        XCTAssertEqual(image, before)
    }

    func testNormaliseMatchesTheNativeLoaderAndInverts() throws {
        let folder = NSTemporaryDirectory() + "reid-tf-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/g.png"
        try gradient().write(to: path)
        var native = [Float](repeating: 0, count: 3 * 16 * 8)
        try native.withUnsafeMutableBufferPointer { try ImageLoading.loadNormalized(path, height: 16, width: 8, into: $0.baseAddress!) }
        let ours = Normalize().apply(try Image(contentsOf: path))
        for (a, b) in zip(native, ours.values) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(Normalize().image(from: ours).pixels, gradient().pixels)

        // The evaluation pipeline through BatchLoader gives the native loader's batch.
        let eval = try TransformPipeline(.evaluation(height: 16, width: 8))
        let piped = try BatchLoader(paths: [path, path], pipeline: eval, batchSize: 2, seed: 0).load(batch: 0)
        let plain = try BatchLoader(paths: [path, path], height: 16, width: 8, batchSize: 2).load(batch: 0)
        XCTAssertEqual(piped.shape, [2, 3, 16, 8])
        XCTAssertLessThan(try (piped - plain).abs().max().item(), 1e-5)
    }

    func testBatchesAreTheSameWhateverTheWorkersAndDifferAcrossSeeds() throws {
        let folder = NSTemporaryDirectory() + "reid-tf-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var paths: [String] = []
        for i in 0..<5 {
            let p = folder + "/\(i).png"
            try gradient(height: 20 + i, width: 10).write(to: p)
            paths.append(p)
        }
        let pipeline = try TransformPipeline(TransformConfig(height: 16, width: 8, padding: 3,
                                                             colorJitter: .init(brightness: 0.2, hue: 0.05)))
        let one = BatchLoader(paths: paths, pipeline: pipeline, batchSize: 2, seed: 5, workers: 1)
        let two = BatchLoader(paths: paths, pipeline: pipeline, batchSize: 2, seed: 5, workers: 2)
        var a: [[Float]] = [], b: [[Float]] = []
        try one.forEachBatch { _, batch in a.append(try batch.floats()) }
        try two.forEachBatch { _, batch in b.append(try batch.floats()) }
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a, b)
        // Image k of the stream is the same whether it is loaded alone or in a batch.
        let alone = try pipeline.batch([paths[3]], seed: 5, firstIndex: 3)
        XCTAssertEqual(try alone.floats(), Array(a[1][(3 * 16 * 8)...]))
        let other = try pipeline.batch(paths, seed: 6)
        XCTAssertNotEqual(try other.floats(), a.flatMap { $0 })
    }

    func testColorJitterDefinitions() throws {
        var rng = SeededRandom(seed: 0)
        let img = gradient()
        XCTAssertEqual(try ColorJitter().apply(img, using: &rng).pixels, img.pixels, "zero strengths change nothing")
        // HSV round trip.
        for (r, g, b) in [(Float(1), Float(0), Float(0)), (0.2, 0.5, 0.9), (0.3, 0.3, 0.3), (0.9, 0.8, 0.1)] {
            let (h, s, v) = ColorJitter.hsv(r, g, b)
            let back = ColorJitter.rgb(h, s, v)
            XCTAssertEqual(back.0, r, accuracy: 1e-5)
            XCTAssertEqual(back.1, g, accuracy: 1e-5)
            XCTAssertEqual(back.2, b, accuracy: 1e-5)
        }
        // Brightness alone scales a grey image by one factor in 0.5…1.5.
        let grey = Image(height: 4, width: 4, fill: 100)
        let bright = try ColorJitter(brightness: 0.5).apply(grey, using: &rng)
        XCTAssertEqual(Set(bright.pixels).count, 1)
        XCTAssertTrue((50...150).contains(Int(bright.pixels[0])))
        // Saturation 0…: a grey image has no colour to change; hue neither.
        XCTAssertEqual(try ColorJitter(saturation: 0.9, hue: 0.5).apply(grey, using: &rng).pixels, grey.pixels)
    }

    func testConfigDecodesWithDefaultsAndValidates() throws {
        let partial = try JSONDecoder().decode(TransformConfig.self, from: Data(#"{"height": 384, "padding_mode": "reflect"}"#.utf8))
        XCTAssertEqual(partial.height, 384)
        XCTAssertEqual(partial.width, 128)
        XCTAssertEqual(partial.paddingMode, .reflect)
        XCTAssertEqual(partial.erasing, TransformConfig.ErasingConfig())
        let off = try JSONDecoder().decode(TransformConfig.self, from: Data(#"{"erasing": null, "color_jitter": {"hue": 0.1}}"#.utf8))
        XCTAssertNil(off.erasing)
        XCTAssertEqual(off.colorJitter?.hue, 0.1)
        XCTAssertEqual(off.colorJitter?.probability, 1)
        let round = try JSONDecoder().decode(TransformConfig.self, from: JSONEncoder().encode(off))
        XCTAssertEqual(round, off)
        var bad = TransformConfig()
        bad.flipProbability = 2
        XCTAssertTrue(message { try TransformPipeline(bad) }.contains("flip_probability"))
        let eval = try TransformPipeline(.evaluation())
        XCTAssertTrue(eval.imageSteps.isEmpty && eval.floatSteps.isEmpty)
        XCTAssertEqual(try TransformPipeline(TransformConfig()).imageSteps.count, 2)
    }
}
