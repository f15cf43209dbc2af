import CTorch
import Foundation

/// An 8-bit RGB (or grey) image in HWC order, decoded and encoded by OpenCV.
public struct Image: Sendable {
    public var height: Int
    public var width: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(height: Int, width: Int, channels: Int = 3, pixels: [UInt8]) {
        precondition(pixels.count == height * width * channels, "pixel count does not match \(height)x\(width)x\(channels)")
        self.height = height
        self.width = width
        self.channels = channels
        self.pixels = pixels
    }

    public init(height: Int, width: Int, channels: Int = 3, fill: UInt8 = 0) {
        self.init(height: height, width: width, channels: channels,
                  pixels: [UInt8](repeating: fill, count: height * width * channels))
    }

    private static func adopt(_ p: UnsafeMutablePointer<UInt8>?, _ h: Int32, _ w: Int32) -> Image {
        defer { ct_free(p) }
        let n = Int(h) * Int(w) * 3
        return Image(height: Int(h), width: Int(w), channels: 3, pixels: Array(UnsafeBufferPointer(start: p, count: n)))
    }

    /// Decodes a JPEG/PNG/BMP/WebP/TIFF/PNM file; the error names the file. The header is read
    /// first: a file declaring more than `maxPixels` pixels throws `ImageTooLarge` undecoded.
    public init(contentsOf path: String, maxPixels: Int = ImageLimits.maxPixels) throws {
        try ImageHeader(contentsOf: path).requireAtMost(maxPixels, source: path)
        var p: UnsafeMutablePointer<UInt8>?
        var h: Int32 = 0, w: Int32 = 0
        guard ct_image_decode_file(path, &p, &h, &w) == 0 else {
            throw TorchError.file(path: path, reason: String(cString: ct_last_error()).replacingOccurrences(
                of: "cannot decode image \(path) ", with: "cannot decode image "))
        }
        self = Image.adopt(p, h, w)
    }

    /// Decodes encoded bytes (an upload, say). The header is read first: bytes declaring more
    /// than `maxPixels` pixels throw `ImageTooLarge` undecoded.
    public init(encoded bytes: Data, maxPixels: Int = ImageLimits.maxPixels, source: String = "the image") throws {
        try ImageHeader(bytes: bytes).requireAtMost(maxPixels, source: source)
        var p: UnsafeMutablePointer<UInt8>?
        var h: Int32 = 0, w: Int32 = 0
        let status = bytes.withUnsafeBytes { raw in
            ct_image_decode_bytes(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &p, &h, &w)
        }
        guard status == 0 else { throw TorchError.invalidArgument(String(cString: ct_last_error())) }
        self = Image.adopt(p, h, w)
    }

    /// Bilinear resize (OpenCV INTER_LINEAR).
    public func resized(height: Int, width: Int) throws -> Image {
        var out = [UInt8](repeating: 0, count: height * width * channels)
        try pixels.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                try check(ct_image_resize(src.baseAddress, Int32(self.height), Int32(self.width), Int32(channels),
                                          dst.baseAddress, Int32(height), Int32(width)))
            }
        }
        return Image(height: height, width: width, channels: channels, pixels: out)
    }

    /// Writes PNG or JPEG by extension, atomically.
    public func write(to path: String) throws {
        try AtomicWrite.write(to: path) { tmp in
            // OpenCV picks the codec from the extension, so keep it on the temporary name.
            let ext = URL(fileURLWithPath: path).pathExtension
            let tmpWithExt = tmp + "." + ext
            let status = pixels.withUnsafeBufferPointer {
                ct_image_write(tmpWithExt, $0.baseAddress, Int32(height), Int32(width), Int32(channels))
            }
            guard status == 0 else { throw TorchError.file(path: path, reason: String(cString: ct_last_error())) }
            if rename(tmpWithExt, tmp) != 0 { throw TorchError.file(path: path, reason: "cannot rename temporary file") }
        }
    }

    /// Encodes as ".png" or ".jpg".
    public func encoded(as ext: String = ".png") throws -> Data {
        var out: UnsafeMutablePointer<UInt8>?
        var n = 0
        let status = pixels.withUnsafeBufferPointer {
            ct_image_encode(ext, $0.baseAddress, Int32(height), Int32(width), Int32(channels), &out, &n)
        }
        guard status == 0, let out else { throw TorchError.invalidArgument(String(cString: ct_last_error())) }
        defer { ct_free(out) }
        return Data(bytes: out, count: n)
    }

    /// A float tensor [1, C, H, W] in 0…1.
    public func tensor() throws -> Tensor {
        try Tensor(pixels, shape: [height, width, channels]).permute([2, 0, 1]).unsqueeze(0).to(.float32) / 255
    }

    /// An image from a [C, H, W] or [1, C, H, W] float tensor in 0…1 (clamped).
    public init(tensor: Tensor) throws {
        var t = tensor
        if t.rank == 4 { t = try t.select(dim: 0, index: 0) }
        guard t.rank == 3 else { throw TorchError.invalidArgument("Image(tensor:) needs [C,H,W], got \(tensor.shape)") }
        let chw = t.shape
        let hwc = try (t.clamp(min: 0, max: 1) * 255).round().permute([1, 2, 0]).to(.uint8).contiguous()
        self.init(height: chw[1], width: chw[2], channels: chw[0], pixels: try hwc.toArray(UInt8.self))
    }
}

/// The standard re-ID input transform in one native pass: decode, bilinear resize to
/// height×width, RGB/255, then ImageNet mean/std. Writes CHW floats into `destination`.
public enum ImageLoading {
    public static let imagenetMean: [Float] = [0.485, 0.456, 0.406]
    public static let imagenetStd: [Float] = [0.229, 0.224, 0.225]

    public static func loadNormalized(_ path: String, height: Int, width: Int,
                                      mean: [Float] = imagenetMean, std: [Float] = imagenetStd,
                                      into destination: UnsafeMutablePointer<Float>) throws {
        try ImageHeader(contentsOf: path).requireAtMost(ImageLimits.maxPixels, source: path)
        let status = ct_image_load_normalized(path, Int32(height), Int32(width), mean, std, destination)
        guard status == 0 else {
            throw TorchError.file(path: path, reason: String(cString: ct_last_error()).replacingOccurrences(
                of: "cannot decode image \(path) ", with: "cannot decode image "))
        }
    }
}
