import Foundation

/// Lists the images of a folder (sorted, non-recursive unless asked), with clear errors for
/// a missing, unreadable or empty folder.
public enum ImageFolder {
    public static let extensions: Set<String> = ["jpg", "jpeg", "png", "bmp"]

    public static func list(_ folder: String, recursive: Bool = false) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw ReIDError.data(path: folder, reason: "no such folder")
        }
        guard isDirectory.boolValue else {
            throw ReIDError.data(path: folder, reason: "is a file, not a folder of images")
        }
        let fm = FileManager.default
        var found: [String] = []
        if recursive {
            guard let walker = fm.enumerator(atPath: folder) else {
                throw ReIDError.data(path: folder, reason: "cannot read the folder")
            }
            while let item = walker.nextObject() as? String {
                if extensions.contains((item as NSString).pathExtension.lowercased()) { found.append(folder + "/" + item) }
            }
        } else {
            let items: [String]
            do { items = try fm.contentsOfDirectory(atPath: folder) } catch {
                throw ReIDError.data(path: folder, reason: "cannot read the folder: \(error.localizedDescription)")
            }
            found = items.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .map { folder + "/" + $0 }
        }
        guard !found.isEmpty else {
            throw ReIDError.data(path: folder,
                                 reason: "contains no images (.jpg, .jpeg, .png, .bmp); point at the folder that holds them")
        }
        return found.sorted()
    }
}
