//! Name and place pools for the synthetic province (East Java flavoured).

pub const MALE_GIVEN: &[&str] = &[
    "Agus", "Budi", "Joko", "Bambang", "Slamet", "Hadi", "Eko", "Dwi", "Teguh", "Wahyu", "Rudi",
    "Arif", "Andi", "Imam", "Ahmad", "Muhammad", "Rizky", "Fajar", "Dimas", "Yusuf", "Hendra",
    "Sugeng", "Heru", "Bayu", "Adi", "Taufik", "Nur", "Suryo", "Anton", "Rahmat", "Hari",
    "Wawan", "Fauzi", "Ilham", "Gilang", "Kurniawan", "Setyo", "Rony", "Yudi", "Dodik",
];

pub const FEMALE_GIVEN: &[&str] = &[
    "Sri", "Siti", "Dewi", "Endang", "Rina", "Ratna", "Lilik", "Yuli", "Nur", "Fitri", "Ani",
    "Wulan", "Indah", "Diah", "Rahayu", "Novi", "Eka", "Anik", "Tri", "Lestari", "Puspita",
    "Ayu", "Nurul", "Intan", "Dyah", "Kartika", "Retno", "Ika", "Umi", "Sulis", "Anisa",
    "Mega", "Nanik", "Erna", "Winarti", "Yeni", "Atik", "Susanti", "Laila", "Putri",
];

pub const FAMILY: &[&str] = &[
    "Santoso", "Wibowo", "Susanto", "Hidayat", "Prasetyo", "Setiawan", "Purnomo", "Saputra",
    "Kurniawati", "Wahyuni", "Handayani", "Rahmawati", "Suryani", "Nugroho", "Utomo",
    "Wijaya", "Hartono", "Suharto", "Mulyono", "Sutrisno", "Firmansyah", "Ramadhan",
    "Maulana", "Hasanah", "Fatimah", "Safitri", "Anggraini", "Pratiwi", "Lestari",
    "Suprapto", "Sudarmaji", "Cahyono", "Kusuma", "Permana", "Hakim", "Syahputra",
];

/// (birth place, regency part of the NIK region code "35RR").
pub const PLACES: &[(&str, &str)] = &[
    ("Surabaya", "3578"),
    ("Malang", "3573"),
    ("Sidoarjo", "3515"),
    ("Gresik", "3525"),
    ("Kediri", "3571"),
    ("Madiun", "3577"),
    ("Jember", "3509"),
    ("Banyuwangi", "3510"),
    ("Mojokerto", "3576"),
    ("Pasuruan", "3575"),
    ("Probolinggo", "3574"),
    ("Blitar", "3572"),
    ("Tulungagung", "3504"),
    ("Lamongan", "3524"),
    ("Tuban", "3523"),
    ("Bojonegoro", "3522"),
    ("Ponorogo", "3502"),
    ("Pamekasan", "3528"),
    ("Sumenep", "3529"),
    ("Jombang", "3517"),
];

pub const UNIVERSITIES: &[&str] = &[
    "Universitas Airlangga",
    "Institut Teknologi Sepuluh Nopember",
    "Universitas Brawijaya",
    "Universitas Negeri Surabaya",
    "Universitas Negeri Malang",
    "Universitas Jember",
    "UIN Sunan Ampel Surabaya",
    "Universitas Trunojoyo Madura",
    "Politeknik Negeri Malang",
    "Universitas Muhammadiyah Malang",
    "Universitas Gadjah Mada",
    "Universitas Terbuka",
];

pub const SCHOOLS: &[&str] = &[
    "SMA Negeri 1 Surabaya",
    "SMA Negeri 3 Malang",
    "SMA Negeri 2 Kediri",
    "SMK Negeri 1 Jember",
    "MAN 1 Gresik",
    "SMA Negeri 1 Sidoarjo",
    "SMK Negeri 2 Madiun",
];

/// (major, back title for S1, back title for S2).
pub const MAJORS: &[(&str, &str, &str)] = &[
    ("Ilmu Administrasi Negara", "S.AP.", "M.AP."),
    ("Manajemen", "S.E.", "M.M."),
    ("Akuntansi", "S.E.", "M.Ak."),
    ("Ilmu Hukum", "S.H.", "M.H."),
    ("Teknik Informatika", "S.Kom.", "M.Kom."),
    ("Teknik Sipil", "S.T.", "M.T."),
    ("Pendidikan", "S.Pd.", "M.Pd."),
    ("Kesehatan Masyarakat", "S.KM.", "M.Kes."),
    ("Keperawatan", "S.Kep.", "M.Kep."),
    ("Ilmu Sosial", "S.Sos.", "M.Si."),
    ("Pertanian", "S.P.", "M.P."),
    ("Ekonomi Pembangunan", "S.E.", "M.E."),
];

pub const TRAININGS: &[(&str, &str, i32)] = &[
    ("Pelatihan Kepemimpinan Pengawas", "BPSDM Provinsi Jawa Timur", 270),
    ("Pelatihan Teknis Pengelolaan Barang Milik Daerah", "BPSDM Provinsi Jawa Timur", 40),
    ("Pelatihan Penyusunan SKP", "BKD Provinsi Jawa Timur", 24),
    ("Bimbingan Teknis Pengadaan Barang/Jasa", "LKPP", 32),
    ("Pelatihan Literasi Digital ASN", "Kementerian Komunikasi dan Informatika", 20),
    ("Pelatihan Pelayanan Publik Prima", "BPSDM Provinsi Jawa Timur", 30),
    ("Pelatihan Manajemen Arsip Dinamis", "ANRI", 40),
];
