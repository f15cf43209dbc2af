import Foundation

/// A read-only view of a zip archive, as PyTorch writes them: entries stored uncompressed,
/// each found through the central directory. The file is memory-mapped; an entry's bytes are
/// handed out in place, never copied. ZIP64 archives (over 4 GB or 65535 entries) are read too.
public final class ZipArchive: @unchecked Sendable {
    /// One file inside the archive, as the central directory describes it.
    public struct Entry: Sendable, Equatable {
        public let name: String
        /// 0 = stored (uncompressed), 8 = deflated; only stored entries can be read.
        public let method: UInt16
        public let compressedSize: Int
        public let size: Int
        public let crc32: UInt32
        let flags: UInt16
        let localHeaderOffset: Int

        public var isStored: Bool { method == 0 }
    }

    public let path: String
    /// Entries in central-directory order.
    public let entries: [Entry]
    /// Whether the archive uses ZIP64 end-of-central-directory records.
    public let isZip64: Bool
    private let file: MappedFile
    private let index: [String: Int]

    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    init(file: MappedFile) throws {
        self.file = file
        self.path = file.path
        let layout = try Self.readDirectory(file.bytes, path: file.path)
        entries = layout.entries
        isZip64 = layout.zip64
        var index: [String: Int] = [:]
        for (i, entry) in layout.entries.enumerated() where index[entry.name] == nil { index[entry.name] = i }
        self.index = index
    }

    public func entry(named name: String) -> Entry? { index[name].map { entries[$0] } }

    /// Calls `body` with the entry's bytes in place (valid only during the call).
    public func withBytes<R>(of entry: Entry, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try body(try bytes(of: entry))
    }

    /// A copy of the entry's bytes.
    public func data(of entry: Entry) throws -> Data { Data(try bytes(of: entry)) }

    /// Whether the entry's bytes match the CRC-32 in the central directory.
    public func checksumMatches(_ entry: Entry) throws -> Bool {
        CRC32.checksum(try bytes(of: entry)) == entry.crc32
    }

    /// The entry's bytes inside the mapping; the archive must outlive their use.
    func bytes(of entry: Entry) throws -> UnsafeRawBufferPointer {
        guard entry.flags & 1 == 0 else { throw fail("entry '\(entry.name)' is encrypted") }
        guard entry.isStored else {
            let how = entry.method == 8 ? "deflate-compressed" : "compressed (method \(entry.method))"
            throw fail("entry '\(entry.name)' is \(how); only stored (uncompressed) entries can be read, as "
                + "torch.save writes them. Re-save the file with torch.save, or re-zip it with `zip -0`")
        }
        let all = file.bytes
        var cursor = ByteCursor(all, at: entry.localHeaderOffset)
        guard let signature = cursor.uint32(), signature == 0x0403_4b50 else {
            throw fail("entry '\(entry.name)': no local file header at byte \(entry.localHeaderOffset)")
        }
        cursor.offset += 22
        guard let nameLength = cursor.uint16(), let extraLength = cursor.uint16() else {
            throw fail("entry '\(entry.name)': local header truncated at byte \(entry.localHeaderOffset)")
        }
        let start = cursor.offset + Int(nameLength) + Int(extraLength)
        guard start <= all.count, entry.compressedSize <= all.count - start else {
            throw fail("entry '\(entry.name)' (\(entry.compressedSize) bytes at byte \(start)) runs past the end "
                + "of the file (\(all.count) bytes); the file is truncated")
        }
        return UnsafeRawBufferPointer(rebasing: all[start..<(start + entry.compressedSize)])
    }

    private func fail(_ reason: String) -> TorchError { .file(path: path, reason: reason) }

    // MARK: central directory

    private struct Directory {
        var entries: [Entry]
        var zip64: Bool
    }

    private static func readDirectory(_ bytes: UnsafeRawBufferPointer, path: String) throws -> Directory {
        func bad(_ why: String) -> TorchError { .file(path: path, reason: "not a valid zip archive (\(why))") }
        let eocdSize = 22
        guard bytes.count >= eocdSize else { throw bad("only \(bytes.count) bytes, too short for a zip archive") }

        // The end-of-central-directory record sits at the end, before an optional comment (< 64 KiB).
        var eocd = -1
        var candidate = bytes.count - eocdSize
        let lowest = max(0, bytes.count - eocdSize - 0xFFFF)
        while candidate >= lowest {
            if bytes.loadUnaligned(fromByteOffset: candidate, as: UInt32.self).littleEndian == 0x0605_4b50 {
                let commentLength = Int(bytes.loadUnaligned(fromByteOffset: candidate + 20, as: UInt16.self).littleEndian)
                if candidate + eocdSize + commentLength <= bytes.count { eocd = candidate; break }
            }
            candidate -= 1
        }
        guard eocd >= 0 else { throw bad("no end-of-central-directory record; the file is truncated or not a zip") }

        var cursor = ByteCursor(bytes, at: eocd + 4)
        let disk = cursor.uint16()!, directoryDisk = cursor.uint16()!
        _ = cursor.uint16()!
        var count = Int(cursor.uint16()!)
        var directorySize = Int(cursor.uint32()!)
        var directoryOffset = Int(cursor.uint32()!)
        guard disk == 0 || disk == 0xFFFF, directoryDisk == 0 || directoryDisk == 0xFFFF else {
            throw bad("multi-volume archives are not supported")
        }

        // ZIP64: a locator just before the record points at a 64-bit version of it.
        var zip64 = false
        if eocd >= 20, bytes.loadUnaligned(fromByteOffset: eocd - 20, as: UInt32.self).littleEndian == 0x0706_4b50 {
            var locator = ByteCursor(bytes, at: eocd - 12)  // past the signature and disk number
            let recordOffset = locator.uint64()!
            guard bytes.count >= 56, recordOffset <= UInt64(bytes.count - 56) else {
                throw bad("ZIP64 end-of-central-directory offset \(recordOffset) lies outside the file")
            }
            var record = ByteCursor(bytes, at: Int(recordOffset))
            guard record.uint32() == 0x0606_4b50 else {
                throw bad("no ZIP64 end-of-central-directory record at byte \(recordOffset)")
            }
            record.offset += 8 + 2 + 2 + 4 + 4 + 8  // size, versions, disk numbers, entries on this disk
            let count64 = record.uint64()!, size64 = record.uint64()!, offset64 = record.uint64()!
            guard count64 <= UInt64(Int.max), size64 <= UInt64(bytes.count), offset64 <= UInt64(bytes.count) else {
                throw bad("ZIP64 central directory (\(count64) entries, \(size64) bytes at \(offset64)) "
                    + "does not fit in the file")
            }
            count = Int(count64)
            directorySize = Int(size64)
            directoryOffset = Int(offset64)
            zip64 = true
        } else if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            throw bad("the end record asks for ZIP64 but the ZIP64 locator is missing")
        }
        guard directoryOffset <= bytes.count, directorySize <= bytes.count - directoryOffset else {
            throw bad("central directory (\(directorySize) bytes at byte \(directoryOffset)) runs past the end "
                + "of the file (\(bytes.count) bytes); the file is truncated")
        }

        let directory = UnsafeRawBufferPointer(rebasing: bytes[directoryOffset..<(directoryOffset + directorySize)])
        var dir = ByteCursor(directory)
        var entries: [Entry] = []
        entries.reserveCapacity(min(count, directorySize / 46))
        for i in 0..<count {
            let at = directoryOffset + dir.offset
            guard let signature = dir.uint32(), signature == 0x0201_4b50 else {
                throw bad("central directory entry \(i) at byte \(at) has no valid signature")
            }
            guard dir.take(4) != nil,  // versions
                let flags = dir.uint16(), let method = dir.uint16(),
                dir.take(4) != nil,  // time, date
                let crc = dir.uint32(), let compressed32 = dir.uint32(), let size32 = dir.uint32(),
                let nameLength = dir.uint16(), let extraLength = dir.uint16(), let commentLength = dir.uint16(),
                dir.take(8) != nil,  // disk, attributes
                let local32 = dir.uint32(),
                let nameBytes = dir.take(Int(nameLength)), let extra = dir.take(Int(extraLength)),
                dir.take(Int(commentLength)) != nil
            else { throw bad("central directory entry \(i) at byte \(at) is truncated") }

            let name = String(decoding: nameBytes, as: UTF8.self)
            var compressed = UInt64(compressed32), size = UInt64(size32), local = UInt64(local32)
            if compressed32 == 0xFFFF_FFFF || size32 == 0xFFFF_FFFF || local32 == 0xFFFF_FFFF {
                // ZIP64 extra field (id 1): the 64-bit values, in this order, for each field that overflowed.
                var fields = ByteCursor(extra)
                var found = false
                while fields.remaining >= 4 {
                    let id = fields.uint16()!, length = Int(fields.uint16()!)
                    guard let body = fields.take(length) else { break }
                    guard id == 1 else { continue }
                    var values = ByteCursor(body)
                    if size32 == 0xFFFF_FFFF { size = values.uint64() ?? size }
                    if compressed32 == 0xFFFF_FFFF { compressed = values.uint64() ?? compressed }
                    if local32 == 0xFFFF_FFFF { local = values.uint64() ?? local }
                    found = true
                }
                guard found else { throw bad("entry '\(name)' needs a ZIP64 extra field but has none") }
            }
            guard compressed <= UInt64(bytes.count), local <= UInt64(bytes.count), size <= UInt64(Int.max) else {
                throw bad("entry '\(name)' claims \(compressed) bytes at byte \(local), outside the file "
                    + "(\(bytes.count) bytes); the file is truncated")
            }
            entries.append(Entry(name: name, method: method, compressedSize: Int(compressed), size: Int(size),
                                 crc32: crc, flags: flags, localHeaderOffset: Int(local)))
        }
        return Directory(entries: entries, zip64: zip64)
    }
}
