#!/usr/bin/env python3
"""Writes a synthetic SIASN-style export for bench/import: units.csv, posts.csv, employees.csv
and rank_history.csv with N employees (valid NIPs and NIKs, go.id emails), deterministic."""
import csv
import os
import sys
from datetime import date, timedelta

n = int(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
pds = 40
units_per_pd = 10
ranks = ["II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b"]

with open(f"{out}/units.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["unorId", "namaUnor", "jenisUnor", "diatasanId"])
    w.writerow(["PROVB", "Pemerintah Provinsi Bench", "instansi", ""])
    for p in range(pds):
        w.writerow([f"PD{p:02d}", f"Perangkat Daerah {p}", "perangkat_daerah", "PROVB"])
        for u in range(units_per_pd):
            w.writerow([f"PD{p:02d}-U{u:02d}", f"Unit {u} PD {p}", "unit_kerja", f"PD{p:02d}"])

with open(f"{out}/posts.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["jabatanId", "namaJabatan", "jenisJabatan", "eselon", "unorId", "atasanJabatanId"])
    for p in range(pds):
        w.writerow([f"PD{p:02d}-KEPALA", f"Kepala PD {p}", "struktural", "II.a", f"PD{p:02d}", ""])
        for u in range(units_per_pd):
            unit = f"PD{p:02d}-U{u:02d}"
            w.writerow([f"{unit}-KABID", f"Kepala {unit}", "struktural", "III.b", unit, f"PD{p:02d}-KEPALA"])
            w.writerow([f"{unit}-F01", f"Pelaksana {unit}", "pelaksana", "", unit, f"{unit}-KABID"])

start = date(1965, 1, 1)
with open(f"{out}/employees.csv", "w", newline="") as f, open(f"{out}/rank_history.csv", "w", newline="") as g:
    w = csv.writer(f)
    h = csv.writer(g)
    w.writerow(["nipBaru", "nik", "nama", "gelarDepan", "gelarBelakang", "jenisKelamin", "tempatLahir",
                "tglLahir", "statusPegawai", "golRuangAkhirId", "tmtGolAkhir", "tmtCpns", "tmtPns",
                "pendidikanTerakhir", "unorId", "jabatanId", "email", "noHp"])
    h.writerow(["nipBaru", "golonganId", "tmtGolongan", "skNomor", "skTanggal"])
    for i in range(n):
        born = start + timedelta(days=(i * 7) % 12000)
        cpns_year = born.year + 23 + (i % 5)
        month = 1 + i % 12
        female = i % 2 == 1
        seq = 1 + (i // 24000) % 999
        # Unique per employee: the birth date, the CPNS month and gender, then a sequence.
        nip = f"{born:%Y%m%d}{cpns_year}{month:02d}{2 if female else 1}{(i % 999) + 1:03d}"
        day = born.day + (40 if female else 0)
        nik = f"35{(i // 100000) % 100:02d}{(i // 1000) % 100:02d}{day:02d}{born:%m%y}{(i % 9999) + 1:04d}"
        unit = f"PD{i % pds:02d}-U{(i // pds) % units_per_pd:02d}"
        rank = ranks[i % len(ranks)]
        w.writerow([nip, nik, f"Pegawai {i}", "", "S.Kom." if i % 3 == 0 else "",
                    "P" if female else "L", "Surabaya", f"{born:%d-%m-%Y}", "pns", rank,
                    f"01-04-{cpns_year + 8}", f"01-{month:02d}-{cpns_year}", f"01-{month:02d}-{cpns_year + 1}",
                    "s1", unit, f"{unit}-F01", f"pegawai{i}@bench.go.id", f"0812{i:08d}"])
        h.writerow([nip, rank, f"01-04-{cpns_year + 8}", f"800/{i}/204/{cpns_year + 8}", f"01-03-{cpns_year + 8}"])
