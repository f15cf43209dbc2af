import Foundation
import Torch

/// Decodes an image and runs the transforms of a `TransformConfig` (or any list of steps) on it:
/// resize first, then the 8-bit steps, normalisation, then the float steps. Every random choice
/// comes from a generator derived from (seed, position in the stream), so a batch is the same on
/// every run and whatever the number of worker threads. `BatchLoader(paths:pipeline:…)` uses it
/// to build [B, 3, H, W] batches in parallel.
public struct TransformPipeline: Sendable {
    public var height: Int
    public var width: Int
    /// Steps on the resized 8-bit image; each must keep height × width.
    public var imageSteps: [any ImageTransform]
    public var normalize: Normalize
    /// Steps on the normalised CHW image.
    public var floatSteps: [any FloatImageTransform]

    public init(height: Int, width: Int, imageSteps: [any ImageTransform] = [], normalize: Normalize = Normalize(),
                floatSteps: [any FloatImageTransform] = []) {
        self.height = height
        self.width = width
        self.imageSteps = imageSteps
        self.normalize = normalize
        self.floatSteps = floatSteps
    }

    /// The pipeline a config describes (validated first).
    public init(_ config: TransformConfig) throws {
        try config.validate()
        var steps: [any ImageTransform] = []
        if config.flipProbability > 0 { steps.append(RandomHorizontalFlip(probability: config.flipProbability)) }
        if config.padding > 0 {
            steps.append(RandomPadCrop(padding: config.padding, mode: config.paddingMode == .reflect ? .reflect : .constant(0)))
        }
        if let j = config.colorJitter, j.probability > 0, [j.brightness, j.contrast, j.saturation, j.hue].contains(where: { $0 > 0 }) {
            steps.append(ColorJitter(brightness: j.brightness, contrast: j.contrast, saturation: j.saturation, hue: j.hue,
                                     probability: j.probability))
        }
        var float: [any FloatImageTransform] = []
        if let e = config.erasing, e.probability > 0 {
            float.append(RandomErasing(probability: e.probability, area: e.area[0]...e.area[1],
                                       aspect: e.aspect[0]...e.aspect[1], fill: e.fill))
        }
        self.init(height: config.height, width: config.width, imageSteps: steps,
                  normalize: Normalize(mean: config.mean, std: config.std), floatSteps: float)
    }

    /// Runs every step on a decoded image.
    public func apply(_ image: Image, using rng: inout SeededRandom) throws -> FloatImage {
        var img = try Resize(height: height, width: width).apply(image, using: &rng)
        if img.channels != 3 { img = Self.rgb(img) }
        for step in imageSteps {
            img = try step.apply(img, using: &rng)
            guard img.height == height && img.width == width else {
                throw ReIDError.invalidOption("transform \(type(of: step)) changed the size to \(img.height)x\(img.width); "
                                              + "steps after the resize must keep \(height)x\(width)")
            }
        }
        var out = normalize.apply(img)
        for step in floatSteps { step.apply(&out, using: &rng) }
        return out
    }

    /// Decodes `path` and transforms it with the generator for stream position `index`.
    public func load(_ path: String, seed: UInt64, index: Int) throws -> FloatImage {
        var rng = SeededRandom.derived(seed: seed, index: UInt64(truncatingIfNeeded: index))
        return try apply(Image(contentsOf: path), using: &rng)
    }

    /// The [B, 3, H, W] batch of `paths`, decoded and transformed in parallel; image i uses the
    /// generator for stream position `firstIndex + i`.
    public func batch(_ paths: [String], seed: UInt64, firstIndex: Int = 0,
                      workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> Tensor {
        let loader = BatchLoader(paths: paths, pipeline: self, batchSize: max(1, paths.count), seed: seed,
                                 firstIndex: firstIndex, workers: workers)
        return try loader.load(batch: 0)
    }

    /// Grey images become RGB by repeating the channel.
    static func rgb(_ image: Image) -> Image {
        let n = image.height * image.width
        var pixels = [UInt8](repeating: 0, count: n * 3)
        for i in 0..<n { for k in 0..<3 { pixels[i * 3 + k] = image.pixels[i * image.channels] } }
        return Image(height: image.height, width: image.width, channels: 3, pixels: pixels)
    }
}
