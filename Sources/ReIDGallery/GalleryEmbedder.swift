import Foundation
import ReID
import Torch

/// Turns images into gallery features with the gallery's model: files in batches (decode and
/// resize in libtorch's native loader), or one encoded upload. One model call at a time (the
/// traced model is not re-entrant); single images from many threads at once are embedded
/// together, as one batch per forward pass (`EmbeddingBatcher`).
public final class GalleryEmbedder: @unchecked Sendable {
    public let identity: GalleryModelIdentity
    private let model: LoadedModel
    private let lock = NSLock()
    private let normalize = Normalize()
    /// Where the model runs; features come back to the CPU.
    public let device: Device
    /// The most single images embedded in one forward pass.
    public static let maxConcurrentBatch = 32
    private var batcher: EmbeddingBatcher<Tensor, [Float]>!

    /// Loads `identity.model` with its weights. `traced` uses libtorch's traced inference path;
    /// `precision` bf16 runs the backbone under CPU autocast (features stay float32).
    public init(identity: GalleryModelIdentity, device: Device = .cpu, traced: Bool = true,
                precision: Precision = .fp32) throws {
        self.identity = identity
        self.device = device
        model = try LoadedModel.load(identity.model, weights: identity.weightsPath, device: device, traced: traced,
                                     precision: precision)
        batcher = EmbeddingBatcher(maxBatch: Self.maxConcurrentBatch) { [unowned self] inputs in
            let features = try self.embedBatch(inputs)
            let d = features.size(1)
            let flat = try features.floats()
            return (0..<inputs.count).map { Array(flat[($0 * d)..<(($0 + 1) * d)]) }
        }
    }

    /// Forward passes and images the single-image path has run (several images per pass under load).
    public var batchCounts: (passes: Int, images: Int) {
        let c = batcher.counts
        return (c.passes, c.embedded)
    }

    /// Features of image files, in order.
    public func features(paths: [String], batchSize: Int = FeatureExtractor.defaultBatchSize, progress: ReID.Progress? = nil) throws -> [[Float]] {
        let extractor = FeatureExtractor(height: identity.height, width: identity.width, batchSize: batchSize, device: device)
        let matrix = try lock.withLock { try extractor.extract(paths: paths, progress: progress, embed: model.embed) }
        let d = matrix.size(1)
        let flat = try matrix.contiguous().floats()
        var rows: [[Float]] = []
        rows.reserveCapacity(paths.count)
        for i in 0..<paths.count { rows.append(Array(flat[(i * d)..<((i + 1) * d)])) }
        return rows
    }

    /// Decodes encoded image bytes (JPEG, PNG, BMP…), or throws `notAnImage`; bytes whose header
    /// declares more than `maxPixels` pixels throw `ImageTooLarge` without being decoded.
    public static func decode(_ bytes: Data, maxPixels: Int = ImageLimits.maxPixels) throws -> Image {
        guard !bytes.isEmpty else { throw GalleryError.notAnImage("the upload is empty; send a JPEG or PNG image") }
        do {
            return try Image(encoded: bytes, maxPixels: maxPixels, source: "the upload")
        } catch let tooLarge as ImageTooLarge {
            throw tooLarge
        } catch {
            throw GalleryError.notAnImage("the upload (\(bytes.count) bytes) is not a decodable image; send a JPEG or PNG")
        }
    }

    /// The model input [1, 3, H, W] for a decoded image: bilinear resize, ImageNet normalisation.
    public func input(for image: Image) throws -> Tensor {
        let rgb = image.channels == 3 ? image : try Self.rgb(image)
        let resized = try rgb.resized(height: identity.height, width: identity.width)
        var values = [Float](repeating: 0, count: 3 * identity.height * identity.width)
        normalize.write(resized, into: &values)
        return try Tensor(values, shape: [1, 3, identity.height, identity.width])
    }

    /// The feature of one decoded image (batched with other threads' images waiting at that moment).
    public func feature(of image: Image) throws -> [Float] {
        try batcher(input(for: image))
    }

    /// Runs the model on grey images at batch sizes 1, 2, 4, … up to `maxConcurrentBatch`, so no
    /// request pays for tracing: the traced model keeps one script per batch size and runs a
    /// smaller batch padded through the next larger one.
    public func warmUp() throws {
        let grey = try input(for: Image(height: identity.height, width: identity.width, fill: 128))
        var size = 1
        while size <= Self.maxConcurrentBatch {
            _ = try embedBatch(Array(repeating: grey, count: size))
            size *= 2
        }
    }

    /// One forward pass over single-image inputs [1, 3, H, W]: their features [N, D] on the CPU.
    private func embedBatch(_ inputs: [Tensor]) throws -> Tensor {
        try lock.withLock { try withNoGrad { try model.embed(Tensor.cat(inputs, dim: 0).to(device)).to(.cpu).contiguous() } }
    }

    static func rgb(_ image: Image) throws -> Image {
        guard image.channels == 1 else { throw GalleryError.notAnImage("an image with \(image.channels) channels cannot be searched") }
        var pixels = [UInt8](repeating: 0, count: image.height * image.width * 3)
        for i in 0..<(image.height * image.width) { for c in 0..<3 { pixels[i * 3 + c] = image.pixels[i] } }
        return Image(height: image.height, width: image.width, channels: 3, pixels: pixels)
    }
}
