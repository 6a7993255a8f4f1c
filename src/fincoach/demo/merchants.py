"""Who people pay, per region: the name a person uses, how a card network prints it, a VPA.

Rows: (name, descriptor, upi handle or "", category, low, high) with amounts in major units of
the region's currency.
"""

from __future__ import annotations

from random import Random
from typing import NamedTuple


class Merchant(NamedTuple):
    name: str
    descriptor: str
    vpa: str
    category: str
    lo: int
    hi: int


def _m(rows: tuple[tuple[str, str, str, str, int, int], ...]) -> tuple[Merchant, ...]:
    return tuple(Merchant(*row) for row in rows)


INDIA = _m(
    (
        ("Swiggy", "SWIGGY", "swiggy.in@axisbank", "food_and_drink", 120, 1400),
        ("Zomato", "ZOMATO", "zomato.payu@hdfcbank", "food_and_drink", 150, 1600),
        ("Amazon", "AMAZON PAY INDIA", "amazon@apl", "shopping", 199, 8999),
        ("Flipkart", "FLIPKART INTERNET", "flipkart@axisbank", "shopping", 299, 12999),
        ("Myntra", "MYNTRA DESIGNS", "myntra@icici", "shopping", 499, 4999),
        ("BigBasket", "BIGBASKET", "bigbasket@hdfcbank", "groceries", 350, 4200),
        ("Blinkit", "BLINKIT", "blinkit.payu@hdfcbank", "groceries", 99, 1800),
        ("DMart", "AVENUE SUPERMARTS", "dmart@ybl", "groceries", 400, 5200),
        ("Uber", "UBER INDIA", "uber.in@axisbank", "transport", 90, 850),
        ("Ola", "OLA CABS", "olacabs@icici", "transport", 80, 760),
        ("IRCTC", "IRCTC", "irctc@sbi", "travel", 250, 4800),
        ("IndiGo", "INDIGO AIRLINES", "indigo@hdfcbank", "travel", 3200, 14000),
        ("Airtel", "AIRTEL PAYMENTS", "airtel@airtel", "bills_and_utilities", 199, 999),
        ("Jio", "RELIANCE JIO", "jio@sbi", "bills_and_utilities", 149, 899),
        ("Tata Power", "TATA POWER DDL", "tatapower@hdfcbank", "bills_and_utilities", 600, 4800),
        ("Netflix", "NETFLIX", "netflix@hdfcbank", "subscriptions", 149, 649),
        ("BookMyShow", "BOOKMYSHOW", "bookmyshow@icici", "entertainment", 200, 1800),
        ("Apollo Pharmacy", "APOLLO PHARMACY", "apollopharmacy@ybl", "health", 80, 2400),
        ("Nykaa", "NYKAA E RETAIL", "nykaa@icici", "personal_care", 250, 3200),
        ("Urban Company", "URBANCLAP", "urbancompany@axisbank", "services", 300, 2500),
        ("Indian Oil", "INDIAN OIL PETROL PUMP", "iocl@sbi", "transport", 300, 3500),
        ("Starbucks", "TATA STARBUCKS", "starbucks@hdfcbank", "food_and_drink", 250, 900),
        ("Pepperfry", "PEPPERFRY", "pepperfry@ybl", "home", 900, 15000),
    )
)

US = _m(
    (
        ("Starbucks", "STARBUCKS STORE 08123", "", "food_and_drink", 4, 18),
        ("DoorDash", "DOORDASH*CHIPOTLE", "", "food_and_drink", 14, 65),
        ("Uber", "UBER *TRIP", "", "transport", 9, 58),
        ("Lyft", "LYFT *RIDE", "", "transport", 8, 46),
        ("Amazon", "AMZN Mktp US", "", "shopping", 8, 240),
        ("Target", "TARGET 00012345", "", "shopping", 12, 180),
        ("Walmart", "WAL-MART #1234", "", "groceries", 18, 210),
        ("Whole Foods", "WHOLEFDS MKT 10234", "", "groceries", 22, 190),
        ("Trader Joe's", "TRADER JOE S #552", "", "groceries", 15, 120),
        ("Shell", "SHELL OIL 57444", "", "transport", 25, 75),
        ("Delta", "DELTA AIR LINES", "", "travel", 180, 900),
        ("Marriott", "MARRIOTT HOTELS", "", "travel", 140, 620),
        ("Netflix", "NETFLIX.COM", "", "subscriptions", 7, 23),
        ("Spotify", "SPOTIFY USA", "", "subscriptions", 11, 17),
        ("Comcast", "COMCAST XFINITY", "", "bills_and_utilities", 60, 160),
        ("CVS", "CVS/PHARMACY #0423", "", "health", 6, 85),
        ("Home Depot", "THE HOME DEPOT #6612", "", "home", 15, 420),
        ("AMC Theatres", "AMC ONLINE", "", "entertainment", 12, 48),
        ("Chipotle", "CHIPOTLE 1432", "", "food_and_drink", 9, 32),
        ("Sephora", "SEPHORA.COM", "", "personal_care", 18, 140),
    )
)

UK = _m(
    (
        ("Tesco", "TESCO STORES 3021", "", "groceries", 6, 95),
        ("Sainsbury's", "SAINSBURYS S/MKTS", "", "groceries", 8, 110),
        ("Pret A Manger", "PRET A MANGER", "", "food_and_drink", 3, 14),
        ("Deliveroo", "DELIVEROO", "", "food_and_drink", 12, 45),
        ("TfL", "TFL TRAVEL CHARGE", "", "transport", 2, 18),
        ("Uber", "UBER *TRIP HELP.UBER.COM", "", "transport", 7, 35),
        ("Amazon", "AMAZON.CO.UK", "", "shopping", 6, 160),
        ("Boots", "BOOTS 1152", "", "health", 4, 45),
        ("Netflix", "NETFLIX.COM", "", "subscriptions", 5, 18),
        ("Trainline", "TRAINLINE", "", "travel", 15, 140),
        ("British Gas", "BRITISH GAS", "", "bills_and_utilities", 45, 180),
        ("Odeon", "ODEON CINEMAS", "", "entertainment", 9, 30),
    )
)

EU = _m(
    (
        ("REWE", "REWE Markt GmbH", "", "groceries", 8, 120),
        ("Lidl", "LIDL DIENSTL", "", "groceries", 6, 90),
        ("Carrefour", "CARREFOUR MARKET", "", "groceries", 10, 140),
        ("Deutsche Bahn", "DB Vertrieb GmbH", "", "travel", 12, 160),
        ("Lufthansa", "LUFTHANSA", "", "travel", 90, 620),
        ("Zalando", "Zalando SE", "", "shopping", 25, 220),
        ("Amazon", "AMAZON EU SARL", "", "shopping", 8, 180),
        ("Bolt", "Bolt.eu", "", "transport", 6, 32),
        ("Lieferando", "Lieferando.de", "", "food_and_drink", 14, 48),
        ("Spotify", "Spotify AB", "", "subscriptions", 10, 18),
        ("dm", "dm-drogerie markt", "", "personal_care", 4, 55),
        ("IKEA", "IKEA Deutschland", "", "home", 15, 480),
    )
)

GULF = _m(
    (
        ("Carrefour", "MAF CARREFOUR", "", "groceries", 40, 620),
        ("Talabat", "TALABAT", "", "food_and_drink", 28, 190),
        ("Careem", "CAREEM", "", "transport", 14, 95),
        ("Noon", "NOON.COM", "", "shopping", 35, 900),
        ("DEWA", "DEWA", "", "bills_and_utilities", 180, 1200),
        ("Emirates", "EMIRATES AIRLINE", "", "travel", 900, 4800),
        ("ENOC", "ENOC SERVICE STATION", "", "transport", 60, 240),
    )
)

MEXICO = _m(
    (
        ("OXXO", "OXXO SUC 2231", "", "groceries", 25, 380),
        ("Walmart", "WALMART SUPERCENTER", "", "groceries", 180, 2600),
        ("Uber", "UBER TRIP", "", "transport", 45, 320),
        ("Liverpool", "LIVERPOOL POLANCO", "", "shopping", 400, 6500),
        ("CFE", "CFE SUMINISTRADOR", "", "bills_and_utilities", 250, 1800),
        ("Telmex", "TELMEX", "", "bills_and_utilities", 389, 899),
        ("Cinépolis", "CINEPOLIS", "", "entertainment", 90, 480),
        ("Rappi", "RAPPI", "", "food_and_drink", 120, 650),
    )
)

KENYA = _m(
    (
        ("Naivas", "NAIVAS SUPERMARKET", "", "groceries", 350, 6500),
        ("Java House", "JAVA HOUSE", "", "food_and_drink", 450, 2200),
        ("KPLC", "KPLC PREPAID", "", "bills_and_utilities", 500, 3500),
        ("Safaricom", "SAFARICOM DATA BUNDLES", "", "bills_and_utilities", 100, 1000),
        ("Carrefour", "CARREFOUR TRM", "", "groceries", 600, 8000),
        ("Total Energies", "TOTAL ENERGIES", "", "transport", 1000, 6000),
    )
)

PEOPLE_IN = (
    "Rahul Sharma",
    "Priya Iyer",
    "Arjun Mehta",
    "Sneha Reddy",
    "Vikram Nair",
    "Ananya Gupta",
    "Karthik Subramanian",
    "Meera Joshi",
)
PEOPLE_US = (
    "Emily Johnson",
    "Michael Brown",
    "Sarah Davis",
    "David Miller",
    "Jessica Wilson",
    "Chris Martinez",
)
PEOPLE_EU = (
    "Sophie Martin",
    "Lukas Schmidt",
    "Oliver Smith",
    "Amelia Jones",
    "Léa Dubois",
    "Jonas Müller",
)
PEOPLE_MX = ("José Hernández", "María García", "Luis Ramírez", "Fernanda López")
PEOPLE_KE = ("JOHN KAMAU", "MARY WANJIKU", "PETER OTIENO", "GRACE AKINYI", "DAVID MWANGI")


def pick(rng: Random, rows: tuple[Merchant, ...]) -> Merchant:
    return rows[rng.randrange(len(rows))]
