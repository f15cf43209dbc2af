import Foundation
import Torch

/// Writes "masked originals" (the person kept, the background black) for mesh-combine, from one
/// of two mask sources: the view set's `mask/<name>` files, or the re-ID model's own activation
/// map (channel mean of the backbone map, min-max normalised per image, bilinearly upsampled and
/// thresholded). Files go to `<folder>/<stem>.png`; the pool's masked entries point at them.
public enum MaskedImages {
    public enum Source: String, Sendable { case viewSet = "view set mask/", activation = "model activation map" }

    /// Original image × mask file (white person on black; resized to the image when sizes differ).
    public static func apply(image path: String, mask maskPath: String, to out: String) throws {
        let image = try Image(contentsOf: path)
        var mask = try Image(contentsOf: maskPath)
        if mask.height != image.height || mask.width != image.width {
            mask = try mask.resized(height: image.height, width: image.width)
        }
        var pixels = image.pixels
        for p in 0..<(image.height * image.width) where mask.pixels[p * mask.channels] < 128 {
            for c in 0..<image.channels { pixels[p * image.channels + c] = 0 }
        }
        try Image(height: image.height, width: image.width, channels: image.channels, pixels: pixels).write(to: out)
    }

    /// Masks from the view set for every original; returns the written paths by original index.
    public static func fromViewSet(_ viewSet: ViewSet, originals: [ImageRecord], folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return try originals.map { record in
            guard let mask = viewSet.mask(of: record.name) else {
                throw ReIDError.data(path: viewSet.root + "/mask", reason: "has no mask for \(record.name); add it or use views.masks=activation")
            }
            let out = folder + "/" + outputName(record.name)
            try apply(image: record.path, mask: mask, to: out)
            return out
        }
    }

    /// Masks from `model`'s activation map (evaluation mode, no autograd), images at height×width.
    public static func fromActivation(model: ReIDModel, originals: [ImageRecord], height: Int, width: Int,
                                      threshold: Double, device: Device, folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        model.eval()
        defer { model.train() }
        let loader = BatchLoader(paths: originals.map(\.path), height: height, width: width, batchSize: 64)
        var written: [String] = []
        try withNoGrad {
            try loader.forEachBatch { b, batch in
                let map = try model(batch.to(device)).featureMap.relu().mean(dim: 1, keepDim: true)
                let low = try map.amin(dims: [2, 3], keepDim: true), high = try map.amax(dims: [2, 3], keepDim: true)
                let scaled = try (map - low) / (high - low + 1e-6)
                let up = try F.interpolate(scaled, size: (height, width)).ge(threshold).to(.float32).to(.cpu)
                for j in 0..<batch.size(0) {
                    let record = originals[b * loader.batchSize + j]
                    let rgb = try Image(contentsOf: record.path).resized(height: height, width: width).tensor()
                    let masked = try rgb * up.narrow(dim: 0, start: j, length: 1)
                    let out = folder + "/" + outputName(record.name)
                    try Image(tensor: masked).write(to: out)
                    written.append(out)
                }
            }
        }
        return written
    }

    static func outputName(_ name: String) -> String { (name as NSString).deletingPathExtension + ".png" }
}
