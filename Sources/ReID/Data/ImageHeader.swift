import Foundation

/// The size and format of an image file read from its header alone (a few hundred bytes), a
/// cheap check that a file is a JPEG, PNG or BMP that is not cut short before its pixel data.
/// It does not decode the pixels: `Image(contentsOf:)` does that.
public struct ImageHeader: Sendable, Equatable {
    public enum Format: String, Sendable { case jpeg, png, bmp }
    public var format: Format
    public var width: Int
    public var height: Int

    /// Reads the header of `path`; the error names the file and says what is wrong.
    public init(contentsOf path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReIDError.data(path: path, reason: "cannot open the file (missing or no permission)")
        }
        defer { try? handle.close() }
        func fail(_ reason: String) -> ReIDError { ReIDError.data(path: path, reason: reason) }
        let head = [UInt8](handle.readData(ofLength: 64))
        guard !head.isEmpty else { throw fail("is an empty file, not an image") }
        if head.count >= 24 && head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            // PNG: the IHDR chunk comes first; width and height are big-endian at 16 and 20.
            guard head[12..<16].elementsEqual(Array("IHDR".utf8)) else { throw fail("PNG without its IHDR header chunk") }
            self.init(format: .png, width: Self.be32(head, 16), height: Self.be32(head, 20))
        } else if head.count >= 26 && head[0] == 0x42 && head[1] == 0x4D {
            // BMP: BITMAPINFOHEADER width and height (signed, height negative = top-down) at 18 and 22.
            let w = Int(Int32(bitPattern: UInt32(Self.le32(head, 18)))), h = Int(Int32(bitPattern: UInt32(Self.le32(head, 22))))
            self.init(format: .bmp, width: w, height: abs(h))
        } else if head.count >= 4 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF {
            self = try Self.jpeg(handle, fail: fail)
        } else {
            let start = head.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw fail("is not a JPEG, PNG or BMP file (it starts with bytes \(start))")
        }
        guard width > 0 && height > 0 else { throw fail("header gives an empty image (\(width)x\(height))") }
    }

    init(format: Format, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// Walks the JPEG marker segments up to the start-of-frame, which holds the size.
    static func jpeg(_ handle: FileHandle, fail: (String) -> ReIDError) throws -> ImageHeader {
        var offset: UInt64 = 2
        for _ in 0..<512 {
            try? handle.seek(toOffset: offset)
            let marker = [UInt8](handle.readData(ofLength: 4))
            guard marker.count == 4 else { throw fail("JPEG ends before its frame header (truncated file)") }
            guard marker[0] == 0xFF else {
                throw fail(String(format: "JPEG header is corrupt (expected a marker at byte %llu)", offset))
            }
            let code = marker[1]
            if code == 0xFF { offset += 1; continue }                  // fill byte
            if code == 0xD8 || (0xD0...0xD7).contains(code) || code == 0x01 { offset += 2; continue }
            let length = UInt64(marker[2]) << 8 | UInt64(marker[3])
            guard length >= 2 else { throw fail("JPEG header is corrupt (segment length \(length))") }
            // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry precision, height, width.
            if (0xC0...0xCF).contains(code) && ![0xC4, 0xC8, 0xCC].contains(code) {
                let frame = [UInt8](handle.readData(ofLength: 5))
                guard frame.count == 5 else { throw fail("JPEG ends inside its frame header (truncated file)") }
                return ImageHeader(format: .jpeg, width: Int(frame[3]) << 8 | Int(frame[4]),
                                   height: Int(frame[1]) << 8 | Int(frame[2]))
            }
            if code == 0xDA || code == 0xD9 { throw fail("JPEG has no frame header before its image data") }
            offset += 2 + length
        }
        throw fail("JPEG header is corrupt (too many segments before the frame header)")
    }

    static func be32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
    static func le32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i + 3]) << 24 | Int(b[i + 2]) << 16 | Int(b[i + 1]) << 8 | Int(b[i]) }
}
