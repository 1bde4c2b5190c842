#include "domain/seed.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "domain/account.h"
#include "store/products.h"

#define DAY (24 * 60 * 60)

static const struct seed_user {
	const char *email;
	const char *name;
	mc_role role;
} users[] = {
	/* The first is the seller seed_demo_seller() returns. No admin: admins
	 * are created only by `mercato user create`. */
	{ "seller1@mercato.dev", "Asha Traders", ROLE_SELLER },
	{ "seller2@mercato.dev", "Kiran Goods", ROLE_SELLER },
	{ "buyer1@mercato.dev", "Meera Iyer", ROLE_BUYER },
	{ "buyer2@mercato.dev", "Rahul Verma", ROLE_BUYER },
};

enum seed_sale { NO_SALE, SALE_NOW, SALE_SOON };

static const struct seed_product {
	int seller;             /* index into users[] */
	const char *category;
	const char *name;
	int64_t price;          /* paise */
	int64_t stock;
	enum seed_sale sale;
	int percentage;
	const char *description;
} products[] = {
	{ 0, "Electronics", "Sonora Wireless Over-Ear Headphones", 249900, 40, SALE_NOW, 25,
	  "Active noise cancelling, 40-hour battery and fast charging: ten minutes give five hours of music." },
	{ 0, "Electronics", "Voltix 20000 mAh Power Bank", 179900, 120, NO_SALE, 0,
	  "Charges two phones at once over USB-C and USB-A, with 22.5 W fast charging and a slim aluminium shell." },
	{ 0, "Electronics", "Lumio Smart LED Bulb (9 W, Wi-Fi)", 69900, 300, SALE_NOW, 30,
	  "Sixteen million colours and tunable white, controlled from your phone or by voice. No hub needed." },
	{ 0, "Electronics", "Trekker Fitness Band with Heart-Rate Monitor", 299900, 60, NO_SALE, 0,
	  "Tracks steps, sleep, SpO2 and 14 sports modes; water resistant to 50 m with a 12-day battery." },
	{ 0, "Electronics", "Pixelon 24-inch Full HD IPS Monitor", 1149900, 25, SALE_SOON, 15,
	  "Thin-bezel 75 Hz IPS panel with accurate colours, HDMI and VGA inputs and a flicker-free backlight." },
	{ 0, "Electronics", "Cadence Mechanical Keyboard, Brown Switches", 459900, 35, NO_SALE, 0,
	  "Tenkeyless layout with tactile brown switches, PBT keycaps and a detachable braided USB-C cable." },
	{ 0, "Electronics", "Orbit Wireless Mouse, Silent Click", 89900, 200, SALE_NOW, 10,
	  "Quiet buttons, 1600 DPI sensor and a nano receiver; one AA battery lasts up to 18 months." },
	{ 0, "Electronics", "Echoa Portable Bluetooth Speaker (IPX7)", 349900, 50, NO_SALE, 0,
	  "Room-filling 20 W sound with deep bass, fully waterproof and good for 15 hours on one charge." },
	{ 0, "Electronics", "Flux 65 W USB-C GaN Charger", 199900, 80, NO_SALE, 0,
	  "Charges a laptop, tablet and phone together from one compact plug with three ports." },

	{ 0, "Books", "The Monsoon Ledger: A Novel", 49900, 150, NO_SALE, 0,
	  "Three generations of a Kochi trading family, their account books and the secrets between the lines." },
	{ 0, "Books", "Practical C Programming for Systems Engineers", 89900, 40, SALE_NOW, 20,
	  "Memory, pointers, tooling and testing: writing C that is fast, safe and easy to maintain." },
	{ 0, "Books", "Spice Routes: Recipes from the Malabar Coast", 79900, 60, NO_SALE, 0,
	  "Eighty home recipes from Kerala's coast, from appam and stew to fish moilee, with step-by-step photos." },
	{ 0, "Books", "A Short History of the Indian Railways", 64900, 35, NO_SALE, 0,
	  "From the first train out of Bombay in 1853 to the bullet-train era, told through people and places." },
	{ 0, "Books", "Mindful Money: Personal Finance in Your Twenties", 39900, 120, NO_SALE, 0,
	  "Budgets, emergency funds, SIPs and insurance explained plainly, with worked examples in rupees." },
	{ 0, "Books", "Stargazing for Beginners: A Field Guide", 54900, 45, NO_SALE, 0,
	  "Star charts for Indian latitudes, month by month, and what you can see with binoculars alone." },
	{ 0, "Books", "The Little Book of Chess Tactics", 29900, 90, SALE_NOW, 15,
	  "Three hundred puzzles on forks, pins and skewers, graded from first steps to club level." },
	{ 0, "Books", "Himalayan Treks: Routes, Maps and Seasons", 99900, 30, NO_SALE, 0,
	  "Forty treks in Uttarakhand, Himachal and Sikkim with altitude profiles, permits and packing lists." },

	{ 0, "Home", "Hand-Block Printed Cotton Bedsheet Set (Double)", 189900, 70, SALE_NOW, 35,
	  "Jaipur hand-block print on soft 180-thread-count cotton; one bedsheet and two pillow covers." },
	{ 0, "Home", "Cast Iron Tawa, Pre-Seasoned, 28 cm", 129900, 85, NO_SALE, 0,
	  "Heavy, even-heating tawa for rotis and dosas that gets better with every use. Works on induction." },
	{ 0, "Home", "Stainless Steel Pressure Cooker, 5 L", 279900, 40, NO_SALE, 0,
	  "Tri-ply base, gasket release valve and a cool-touch handle; suitable for gas and induction." },
	{ 0, "Home", "Ceramic Dinner Set, 18 Pieces", 399900, 20, NO_SALE, 0,
	  "Six dinner plates, six quarter plates and six bowls in a speckled glaze; microwave safe." },
	{ 0, "Home", "Bamboo Storage Baskets, Set of 3", 89900, 110, NO_SALE, 0,
	  "Handwoven nesting baskets for toys, towels or magazines, finished with cotton-lined handles." },
	{ 0, "Home", "Copper Water Bottle, 1 L", 74900, 150, SALE_NOW, 20,
	  "Pure copper with a leak-proof lid and a hammered finish; a traditional way to keep water cool." },
	{ 0, "Home", "Memory Foam Pillow, Pack of 2", 149900, 60, NO_SALE, 0,
	  "Contoured support for neck and shoulders with breathable, removable, washable covers." },
	{ 0, "Home", "Handwoven Jute Area Rug, 4 x 6 ft", 249900, 25, SALE_SOON, 25,
	  "Natural jute woven by artisans in West Bengal; durable, reversible and easy to vacuum." },
	{ 0, "Home", "Aroma Diffuser with Lemongrass Oil", 99900, 90, NO_SALE, 0,
	  "Ultrasonic diffuser with seven light colours and auto shut-off, with a 10 ml bottle of lemongrass oil." },

	{ 1, "Fashion", "Men's Linen Kurta, Sky Blue", 149900, 80, SALE_NOW, 40,
	  "Breathable pure linen in a relaxed fit with a mandarin collar; ideal for summer and festive days." },
	{ 1, "Fashion", "Women's Block-Print Cotton Kurti", 119900, 95, NO_SALE, 0,
	  "A-line kurti in hand-block printed cotton with three-quarter sleeves and side pockets." },
	{ 1, "Fashion", "Classic Denim Jacket, Unisex", 249900, 45, NO_SALE, 0,
	  "Mid-wash denim with button cuffs and chest pockets; a layer that goes with everything." },
	{ 1, "Fashion", "Leather Chappals, Tan", 89900, 120, NO_SALE, 0,
	  "Kolhapuri-style chappals in vegetable-tanned leather with a cushioned footbed." },
	{ 1, "Fashion", "Silk-Blend Dupatta with Zari Border", 69900, 70, NO_SALE, 0,
	  "Lightweight silk-blend dupatta in deep maroon with a woven gold zari border." },
	{ 1, "Fashion", "Everyday Canvas Sneakers, White", 179900, 100, SALE_NOW, 30,
	  "Low-top canvas sneakers with a vulcanised rubber sole and a padded, breathable lining." },
	{ 1, "Fashion", "Polarised Aviator Sunglasses", 129900, 55, NO_SALE, 0,
	  "Metal frame with polarised UV400 lenses that cut glare on the road and at the beach." },
	{ 1, "Fashion", "Woollen Pashmina-Style Shawl", 219900, 30, NO_SALE, 0,
	  "Soft, warm fine-wool shawl with paisley embroidery, woven in Kashmir." },

	{ 1, "Sports", "English Willow Cricket Bat, Full Size", 549900, 20, NO_SALE, 0,
	  "Grade 2 English willow, pre-knocked and oiled, with a cane handle and a big sweet spot." },
	{ 1, "Sports", "Anti-Slip Yoga Mat, 6 mm", 99900, 140, SALE_NOW, 12,
	  "Cushioned TPE mat with alignment lines and a textured grip on both sides; comes with a strap." },
	{ 1, "Sports", "Adjustable Dumbbell Set, 20 kg", 399900, 25, NO_SALE, 0,
	  "Two chrome handles with spin-lock collars and cast-iron plates for a full home workout." },
	{ 1, "Sports", "Badminton Racquet Pair with Shuttlecocks", 149900, 60, NO_SALE, 0,
	  "Two light aluminium racquets, a full cover and a tube of six nylon shuttlecocks." },
	{ 1, "Sports", "Size 5 Football, Hand-Stitched", 79900, 75, NO_SALE, 0,
	  "Thirty-two panel PU football for grass and turf, hand-stitched in Jalandhar." },
	{ 1, "Sports", "Running Shoes, Lightweight Mesh", 349900, 50, NO_SALE, 0,
	  "Responsive foam midsole, breathable knit upper and a rubber outsole for road running." },
	{ 1, "Sports", "Resistance Bands, Set of 5", 59900, 160, NO_SALE, 0,
	  "Five latex loop bands from extra light to extra heavy, with a carry pouch and exercise guide." },
	{ 1, "Sports", "Insulated Sports Water Bottle, 750 ml", 49900, 200, NO_SALE, 0,
	  "Double-wall steel keeps drinks cold for 24 hours; leak-proof flip lid with a carry loop." },

	{ 1, "Toys", "Wooden Building Blocks, 100 Pieces", 129900, 65, NO_SALE, 0,
	  "Smooth, non-toxic painted blocks in ten shapes for towers, bridges and imagination. Ages 2+." },
	{ 1, "Toys", "Remote Control Racing Car, 1:16", 219900, 40, SALE_NOW, 18,
	  "Four-wheel drive, 20 km/h top speed and a rechargeable battery; drives on grass and gravel." },
	{ 1, "Toys", "Classic Ludo and Snakes & Ladders Board", 39900, 150, NO_SALE, 0,
	  "A sturdy two-sided board with dice and counters for family game nights. Ages 4+." },
	{ 1, "Toys", "Plush Elephant Soft Toy, 40 cm", 89900, 80, NO_SALE, 0,
	  "Huggable elephant in super-soft fabric with embroidered eyes; safe for toddlers." },
	{ 1, "Toys", "Science Kit: 30 Experiments for Kids", 149900, 45, NO_SALE, 0,
	  "Volcanoes, crystals and circuits: a boxed lab with safe materials and an illustrated guide. Ages 8+." },
	{ 1, "Toys", "Jigsaw Puzzle, Taj Mahal, 1000 Pieces", 69900, 55, NO_SALE, 0,
	  "A thousand precisely cut pieces that make a 70 x 50 cm picture of the Taj Mahal at sunrise." },
	{ 1, "Toys", "Spinning Top Set, Wooden, Pack of 4", 29900, 180, NO_SALE, 0,
	  "Hand-turned lattoo tops from Channapatna, coloured with natural lacquer." },
	{ 1, "Toys", "Junior Chess Set with Magnetic Board", 59900, 70, NO_SALE, 0,
	  "A folding magnetic board that keeps pieces in place on the move, with a how-to-play booklet." },
};

#define NUSERS (sizeof(users) / sizeof(users[0]))
#define NPRODUCTS (sizeof(products) / sizeof(products[0]))

/* Looks an account up by email and registers it when missing. */
static mc_rc S_ensure_user(const struct seed_user *su, struct user *out, int *created, mc_error *err)
{
	struct account_new in = { .name = su->name, .email = su->email, .password = SEED_PASSWORD, .role = su->role };
	mc_rc rc = store_user_by_email(su->email, out);

	*created = 0;
	if (rc == MC_ERR_NOT_FOUND) {
		rc = account_register(&in, 0, out, err);
		if (rc == MC_ERR_CONFLICT) {
			/* A concurrent seed created it meanwhile. */
			mc_error_init(err);
			rc = store_user_by_email(su->email, out);
		} else {
			*created = !rc;
		}
	}
	if (!rc && su->role == ROLE_SELLER && out->role != ROLE_SELLER && out->role != ROLE_ADMIN)
		return mc_fail(err, MC_ERR_CONFLICT, "seed_conflict", "%s exists but is not a seller account",
			       su->email);
	return rc;
}

mc_rc seed_demo_seller(struct user *out, int *created, mc_error *err)
{
	return S_ensure_user(&users[0], out, created, err);
}

static mc_rc S_insert(size_t i, int64_t seller_id, int64_t now, int *inserted)
{
	const struct seed_product *sp = &products[i];
	char ref[32], image[80];
	struct product p;

	memset(&p, 0, sizeof(p));
	snprintf(ref, sizeof(ref), "seed:%zu", i + 1);
	snprintf(image, sizeof(image), "https://picsum.photos/seed/mercato-%zu/600/600", i + 1);
	/* The store only reads these strings (struct product owns its strings
	 * elsewhere, so its fields are not const). */
	p.name = (char *)(uintptr_t)sp->name;
	p.description = (char *)(uintptr_t)sp->description;
	p.category = (char *)(uintptr_t)sp->category;
	p.image_url = image;
	memcpy(p.currency, "INR", 4);
	p.seller_id = seller_id;
	p.price = sp->price;
	p.stock = sp->stock;
	if (sp->sale == SALE_NOW) {
		p.sale.start = now - DAY;
		p.sale.end = now + 30 * DAY;
	} else if (sp->sale == SALE_SOON) {
		p.sale.start = now + 7 * DAY;
		p.sale.end = now + 14 * DAY;
	}
	if (sp->sale != NO_SALE)
		p.sale.percentage = sp->percentage;
	return store_product_insert_ref(&p, ref, inserted);
}

mc_rc seed_demo(int64_t now, struct seed_counts *out, mc_error *err)
{
	struct seed_counts n = { 0, 0 };
	int64_t ids[NUSERS];
	mc_rc rc;

	for (size_t i = 0; i < NUSERS; i++) {
		struct user u;
		int created;

		rc = S_ensure_user(&users[i], &u, &created, err);
		if (rc)
			return rc;
		ids[i] = u.id;
		n.users_created += created;
	}
	for (size_t i = 0; i < NPRODUCTS; i++) {
		int inserted = 0;

		rc = S_insert(i, ids[products[i].seller], now, &inserted);
		if (rc)
			return rc;
		n.products_created += inserted;
	}
	*out = n;
	return MC_OK;
}
