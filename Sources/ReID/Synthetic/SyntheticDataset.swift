import Foundation
import Torch

/// The built-in procedural multi-camera pedestrian dataset, written in Market-1501 layout.
///
/// Identities 1…ids/2 are for training, the rest for testing; every identity is seen by at
/// least two cameras. Query holds the first image of each test identity in each camera; the
/// gallery holds the rest. Besides the images it writes the person masks (`mask/<name>`).
public struct SyntheticDataset {
    public var ids: Int
    public var cameras: Int
    public var seed: UInt64
    public var height = 128
    public var width = 64
    /// Images of one identity in one camera.
    public var imagesPerCamera: ClosedRange<Int> = 3...5

    public init(ids: Int = 200, cameras: Int = 4, seed: UInt64 = 0) {
        self.ids = ids
        self.cameras = cameras
        self.seed = seed
    }

    public struct Summary: Codable, Sendable {
        public var ids: Int
        public var cameras: Int
        public var train: Int
        public var query: Int
        public var gallery: Int
        public var seconds: Double
    }

    /// One rendered view: the image and its person mask.
    struct Shot {
        var pid: Int
        var camera: Int
        var frame: Int
        var image: Image
        var mask: Image
    }

    func render(person: SyntheticPerson, camera: SyntheticCamera, angle: Double, phase: Double,
                rng: inout SeededRandom) -> (Image, Image) {
        var canvas = Canvas(height: height, width: width)
        var mask = Canvas(height: height, width: width)
        camera.background(on: &canvas)
        let scale = rng.uniform(camera.scaleRange.lowerBound, camera.scaleRange.upperBound)
        let top = rng.uniform(0.02, max(0.03, 1 - scale - 0.02)) * Double(height)
        let cx = Double(width) / 2 + rng.uniform(-0.08, 0.08) * Double(width)
        person.draw(on: &canvas, mask: &mask, angle: angle, phase: phase, centerX: cx, top: top, scale: scale)
        camera.finish(&canvas, using: &rng)
        let binary = mask.pixels.chunks(3).map { $0.contains { $0 > 0 } ? UInt8(255) : 0 }
        return (canvas.image, Image(height: height, width: width, channels: 1, pixels: binary))
    }

    /// Writes the dataset under `root` (created if needed) and returns its sizes.
    @discardableResult
    public func write(to root: String) throws -> Summary {
        guard ids >= 4, cameras >= 2 else {
            throw ReIDError.invalidOption("synth needs at least 4 ids and 2 cameras (got \(ids) ids, \(cameras) cameras)")
        }
        let start = Date()
        var rng = SeededRandom(seed: seed)
        let cams = (0..<cameras).map { _ in SyntheticCamera(using: &rng) }
        let people = (0..<ids).map { _ in SyntheticPerson(using: &rng) }
        let fm = FileManager.default
        for folder in ["bounding_box_train", "query", "bounding_box_test", "mask"] {
            try fm.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        var summary = Summary(ids: ids, cameras: cameras, train: 0, query: 0, gallery: 0, seconds: 0)
        let trainIds = ids / 2
        for (index, person) in people.enumerated() {
            let pid = index + 1
            var seen = Array(0..<cameras).shuffled(using: &rng)
            seen = Array(seen.prefix(rng.int(2...cameras)))
            var frame = 0
            for camera in seen.sorted() {
                let count = rng.int(imagesPerCamera)
                let baseAngle = [0.0, 90, 180, 270].randomElement(using: &rng)!
                for k in 0..<count {
                    frame += 1
                    let angle = baseAngle + rng.uniform(-30, 30)
                    let (image, mask) = render(person: person, camera: cams[camera], angle: angle,
                                               phase: rng.uniform(0, 1), rng: &rng)
                    let name = String(format: "%04d_c%ds1_%06d_00.jpg", pid, camera + 1, frame)
                    let folder: String
                    if pid <= trainIds {
                        folder = "bounding_box_train"
                        summary.train += 1
                    } else if k == 0 {
                        folder = "query"
                        summary.query += 1
                    } else {
                        folder = "bounding_box_test"
                        summary.gallery += 1
                    }
                    try image.write(to: "\(root)/\(folder)/\(name)")
                    try mask.write(to: "\(root)/mask/\(name.replacingOccurrences(of: ".jpg", with: ".png"))")
                }
            }
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}

extension Array {
    func chunks(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
